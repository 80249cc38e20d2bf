package io.wxpush.sim.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes message-push bodies the way WeChat's documentation shows them, independently of wxpush's
 * parser: XML as {@code <xml>} with text in CDATA sections and {@code CreateTime} a bare number,
 * the items as {@code <List>} elements inside the event's wrapper element; JSON with
 * {@code CreateTime} a number and {@code List} an object for one item, an array for several. The
 * encrypted forms put {@code Encrypt} beside {@code ToUserName} (safe mode) or beside the whole
 * plaintext (compatible mode). Stateless and thread-safe.
 */
public final class PushEnvelope {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PushEnvelope() {}

  /** The plaintext body of {@code event}. */
  public static String plaintext(PushEvent event, PushFormat format) {
    return format == PushFormat.XML ? xml(event, null) : json(event, null);
  }

  /** The body carrying {@code encrypt} (the plaintext's {@link PushCipher#encrypt}) in {@code mode}. */
  public static String encrypted(PushEvent event, PushFormat format, PushMode mode, String encrypt) {
    if (!mode.encrypts()) throw new IllegalArgumentException("plaintext mode carries no Encrypt");
    if (mode == PushMode.COMPATIBLE) return format == PushFormat.XML ? xml(event, encrypt) : json(event, encrypt);
    if (format == PushFormat.XML) {
      return "<xml>" + cdata("ToUserName", event.toUserName()) + cdata("Encrypt", encrypt) + "</xml>";
    }
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("ToUserName", event.toUserName());
    outer.put("Encrypt", encrypt);
    return write(outer);
  }

  private static String xml(PushEvent e, String encrypt) {
    StringBuilder out = new StringBuilder("<xml>");
    out.append(cdata("ToUserName", e.toUserName())).append(cdata("FromUserName", e.fromUserName()))
        .append("<CreateTime>").append(e.createTime()).append("</CreateTime>")
        .append(cdata("MsgType", "event")).append(cdata("Event", e.event()));
    if (!e.items().isEmpty()) {
      out.append('<').append(e.xmlWrapper()).append('>');
      for (Map<String, String> item : e.items()) {
        out.append("<List>");
        new TreeMap<>(item).forEach((k, v) -> out.append(cdata(k, v)));
        out.append("</List>");
      }
      out.append("</").append(e.xmlWrapper()).append('>');
    }
    if (encrypt != null) out.append(cdata("Encrypt", encrypt));
    return out.append("</xml>").toString();
  }

  private static String json(PushEvent e, String encrypt) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ToUserName", e.toUserName());
    out.put("FromUserName", e.fromUserName());
    out.put("CreateTime", e.createTime());
    out.put("MsgType", "event");
    out.put("Event", e.event());
    List<Map<String, String>> items = e.items().stream().<Map<String, String>>map(TreeMap::new).toList();
    if (!items.isEmpty()) out.put("List", items.size() == 1 ? items.get(0) : items);
    if (encrypt != null) out.put("Encrypt", encrypt);
    return write(out);
  }

  /** {@code <name><![CDATA[value]]></name>}; a {@code ]]>} inside the value is split across two sections. */
  private static String cdata(String name, String value) {
    return "<" + name + "><![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]></" + name + ">";
  }

  private static String write(Map<String, Object> body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

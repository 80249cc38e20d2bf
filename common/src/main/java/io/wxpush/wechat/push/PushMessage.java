package io.wxpush.wechat.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * One message WeChat pushes to the app's message-push URL, JSON or XML alike: its top-level
 * fields ({@code FromUserName}, {@code CreateTime}, {@code Event}, {@code Encrypt}, …) and the
 * items of its {@code List} (an object when it holds one item, an array when several; in XML, every
 * {@code <List>} element, wherever the event wraps them). XML is read by the JDK's parser with
 * doctypes refused, so no external entity or entity expansion is ever resolved.
 */
public record PushMessage(Map<String, String> fields, List<Map<String, String>> items) {
  /** Largest body taken: events are a few hundred bytes. */
  public static final int MAX_BYTES = 64 * 1024;

  public PushMessage {
    fields = Map.copyOf(fields);
    items = items.stream().map(Map::copyOf).toList();
  }

  public Optional<String> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /** Parses a body; {@link IllegalArgumentException} when it is neither a JSON object nor an {@code <xml>} document. */
  public static PushMessage parse(String body) {
    String t = body == null ? "" : body.strip();
    if (t.startsWith("{")) return json(t);
    if (t.startsWith("<")) return xml(t);
    throw new IllegalArgumentException("the body is neither JSON nor XML");
  }

  private static PushMessage json(String text) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not valid JSON");
    }
    if (root == null || !root.isObject()) throw new IllegalArgumentException("the body is not a JSON object");
    Map<String, String> fields = new LinkedHashMap<>();
    List<Map<String, String>> items = new ArrayList<>();
    for (var e : root.properties()) {
      JsonNode v = e.getValue();
      if (v.isValueNode()) fields.put(e.getKey(), v.asText());
      else if (e.getKey().equals("List")) {
        if (v.isObject()) items.add(flat(v));
        else if (v.isArray()) for (JsonNode item : v) if (item.isObject()) items.add(flat(item));
      }
    }
    return new PushMessage(fields, items);
  }

  private static Map<String, String> flat(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    for (var e : object.properties()) if (e.getValue().isValueNode()) out.put(e.getKey(), e.getValue().asText());
    return out;
  }

  private static PushMessage xml(String text) {
    Element root;
    try {
      root = builder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
    } catch (Exception e) {
      throw new IllegalArgumentException("the body is not well-formed XML (doctypes are refused)");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element el && !hasElements(el)) fields.put(el.getTagName(), el.getTextContent().strip());
    }
    List<Map<String, String>> items = new ArrayList<>();
    NodeList lists = root.getElementsByTagName("List");
    for (int i = 0; i < lists.getLength(); i++) {
      Map<String, String> item = new LinkedHashMap<>();
      for (Node n = lists.item(i).getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element el) item.put(el.getTagName(), el.getTextContent().strip());
      }
      items.add(item);
    }
    return new PushMessage(fields, items);
  }

  private static boolean hasElements(Element el) {
    for (Node n = el.getFirstChild(); n != null; n = n.getNextSibling()) if (n instanceof Element) return true;
    return false;
  }

  private static DocumentBuilder builder() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    f.setNamespaceAware(false);
    DocumentBuilder b = f.newDocumentBuilder();
    b.setErrorHandler(null);
    return b;
  }

  /** The message as WeChat's JSON form (the sim's side). */
  public static String toJson(Map<String, ?> fields) {
    return Json.writeString(fields);
  }

  /** A message as WeChat's XML form: top-level fields, then each item as a {@code <List>} inside {@code wrapper}. */
  public static String toXml(Map<String, String> fields, String wrapper, List<Map<String, String>> items) {
    StringBuilder out = new StringBuilder("<xml>");
    fields.forEach((k, v) -> out.append('<').append(k).append("><![CDATA[").append(v).append("]]></").append(k).append('>'));
    if (!items.isEmpty()) {
      out.append('<').append(wrapper).append('>');
      for (Map<String, String> item : items) {
        out.append("<List>");
        item.forEach((k, v) -> out.append('<').append(k).append("><![CDATA[").append(v).append("]]></").append(k).append('>'));
        out.append("</List>");
      }
      out.append("</").append(wrapper).append('>');
    }
    return out.append("</xml>").toString();
  }
}

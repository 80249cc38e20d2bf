package io.wxpush.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides what WeChat answers to a template or subscribe send that has passed the faults and
 * the token check: validates user, template, page and data, then spends the credential and
 * records the message in the user's inbox, or answers the errcode WeChat would. A send that is
 * refused spends nothing; a subscribe message delivered is told to the {@link Delivered} listener
 * (WeChat's sent event), whatever then becomes of the answer. Thread-safe.
 */
final class SendProcessor {
  /** Told of every subscribe message delivered, before its answer leaves (which may then be lost). */
  interface Delivered {
    void subscribe(String appId, String openId, String templateId, long msgid);
  }

  /** The answer to one send: errcode 0 with a msgid, or an errcode and its errmsg. */
  record Outcome(int errcode, String errmsg, long msgid) {
    static Outcome error(int errcode, String errmsg) {
      return new Outcome(errcode, errmsg, 0);
    }
  }

  private static final Set<String> STATES = Set.of("developer", "trial", "formal");
  private static final Set<String> LANGS = Set.of("zh_CN", "en_US", "zh_HK", "zh_TW");

  private final UserDirectory users;
  private final TemplateRegistry templates;
  private final Interner interner;
  private final SimStats stats;
  private final AtomicLong msgids = new AtomicLong(1_000_000_000L);
  private final Delivered delivered;

  SendProcessor(UserDirectory users, TemplateRegistry templates, Interner interner, SimStats stats, Delivered delivered) {
    this.delivered = delivered;
    this.users = users;
    this.templates = templates;
    this.interner = interner;
    this.stats = stats;
  }

  /** {@code cgi-bin/message/wxopen/template/send}, spending the body's form_id (a form_id or prepay_id). */
  Outcome template(String appId, JsonNode body, long now) {
    Target target = target(appId, body, SimTemplate.Kind.TEMPLATE);
    if (target.error != null) return target.error;
    String formId = text(body, "form_id");
    if (formId == null || formId.isEmpty()) return Outcome.error(41028, "invalid form id");
    String emphasis = text(body, "emphasis_keyword");
    if (emphasis != null && !emphasis.isEmpty() && !validEmphasis(target.template, emphasis)) {
      return Outcome.error(47003, "argument invalid! emphasis_keyword invalid");
    }
    CredentialCodec.Parsed credential = CredentialCodec.parse(formId, users.generation());
    long msgid = msgids.incrementAndGet();
    InboxEntry entry = entry(target, credential == null ? -1 : credential.slot(), credential != null && credential.prepay(), now, msgid);
    int errcode = target.user.deliverWithCredential(credential, entry, now);
    return switch (errcode) {
      case 0 -> delivered(msgid);
      case 41029 -> Outcome.error(41029, "form id used count reach limit");
      default -> Outcome.error(41028, "invalid form id");
    };
  }

  /** {@code cgi-bin/message/subscribe/send}, spending one accept of the template by the user (a long-term template's accept stays). */
  Outcome subscribe(String appId, JsonNode body, long now) {
    Target target = target(appId, body, SimTemplate.Kind.SUBSCRIBE);
    if (target.error != null) return target.error;
    String state = text(body, "miniprogram_state");
    if (state != null && !state.isEmpty() && !STATES.contains(state)) return Outcome.error(47003, "argument invalid! miniprogram_state invalid");
    String lang = text(body, "lang");
    if (lang != null && !lang.isEmpty() && !LANGS.contains(lang)) return Outcome.error(47003, "argument invalid! lang invalid");
    long msgid = msgids.incrementAndGet();
    int errcode = target.user.deliverWithGrant(entry(target, -1, false, now, msgid), target.template.longTerm());
    if (errcode != 0) return Outcome.error(43101, "user refuse to accept the msg");
    delivered.subscribe(appId, target.user.openId, target.template.templateId(), msgid);
    return delivered(msgid);
  }

  private Outcome delivered(long msgid) {
    stats.recordDelivery();
    return new Outcome(0, "ok", msgid);
  }

  /** The validated parts every send shares, or the error that ends it. */
  private record Target(Outcome error, SimUser user, SimTemplate template, String page, Map<String, String> data) {
    static Target failed(int errcode, String errmsg) {
      return new Target(Outcome.error(errcode, errmsg), null, null, null, null);
    }
  }

  private Target target(String appId, JsonNode body, SimTemplate.Kind kind) {
    String openId = text(body, "touser");
    SimUser user = openId == null || openId.isEmpty() ? null : users.find(appId, openId);
    if (user == null) return Target.failed(40003, "invalid openid");
    SimTemplate template = templates.find(appId, text(body, "template_id"));
    if (template == null || template.kind() != kind) return Target.failed(40037, "invalid template_id");
    String page = text(body, "page");
    if (!template.acceptsPage(page)) return Target.failed(41030, "invalid page");
    JsonNode dataNode = body.get("data");
    Map<String, String> data = new LinkedHashMap<>();
    if (dataNode != null && !dataNode.isNull()) {
      if (!dataNode.isObject()) return Target.failed(47003, "argument invalid! data invalid");
      for (var field : dataNode.properties()) {
        JsonNode value = field.getValue().get("value");
        if (value == null || !value.isValueNode() || value.isNull()) {
          return Target.failed(47003, "argument invalid! data." + field.getKey() + ".value invalid");
        }
        data.put(field.getKey(), value.asText());
      }
    }
    String problem = TemplateDataValidator.check(template, data);
    if (problem != null) return Target.failed(47003, problem);
    return new Target(null, user, template, page == null ? "" : page, Collections.unmodifiableMap(data));
  }

  private InboxEntry entry(Target target, int slot, boolean prepay, long now, long msgid) {
    return new InboxEntry(
        interner.intern(target.template.templateId()),
        target.template.kind() == SimTemplate.Kind.SUBSCRIBE,
        interner.intern(target.page),
        interner.intern(target.data),
        slot,
        prepay,
        now,
        msgid);
  }

  private static boolean validEmphasis(SimTemplate template, String emphasis) {
    return emphasis.endsWith(".DATA") && template.keywords().contains(emphasis.substring(0, emphasis.length() - 5));
  }

  static String text(JsonNode body, String field) {
    JsonNode node = body.get(field);
    return node == null || node.isNull() || !node.isValueNode() ? null : node.asText();
  }
}

package io.wxpush.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.wxpush.client.PushRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns a push request body into a {@link PushRequest}, collecting every field error into one
 * list so the caller can answer one 400 that names them all. Stateless and thread-safe.
 */
public final class PushRequestParser {
  /** How far ahead {@code sendAt} may be: the push's state is kept 8 days from acceptance. */
  static final long MAX_SCHEDULE_AHEAD_MS = 7L * 24 * 3600 * 1000;

  /** Most openIds one push may list. */
  public static final int MAX_LISTED = 10_000;
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern TEMPLATE_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  private static final Pattern KEYWORD = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");
  private static final Set<String> STATES = Set.of("developer", "trial", "formal");
  private static final Set<String> LANGS = Set.of("zh_CN", "en_US", "zh_HK", "zh_TW");

  private final Set<String> apps;
  private final boolean allowPrivateCallbacks;

  /** @param apps the appIds this deployment serves */
  public PushRequestParser(Set<String> apps) {
    this(apps, false);
  }

  /** @param allowPrivateCallbacks a {@code callbackUrl} may name a loopback, link-local or private address */
  public PushRequestParser(Set<String> apps, boolean allowPrivateCallbacks) {
    this.apps = Set.copyOf(apps);
    this.allowPrivateCallbacks = allowPrivateCallbacks;
  }

  /** True when {@code appId} is an app this deployment serves. */
  public boolean serves(String appId) {
    return apps.contains(appId);
  }

  /** The outcome: a request, or every problem found. */
  public sealed interface Result permits Valid, Invalid {}

  public record Valid(PushRequest request) implements Result {}

  /** @param errors one {@code {"field","message"}} per problem */
  public record Invalid(List<Map<String, String>> errors) implements Result {}

  public Result parse(JsonNode body) {
    List<Map<String, String>> errors = new ArrayList<>();
    String requestId = optionalText(body, "requestId", errors);
    if (requestId == null) requestId = UUID.randomUUID().toString();
    else if (!REQUEST_ID.matcher(requestId).matches()) error(errors, "requestId", "must be 1-64 of [A-Za-z0-9_.:-]");

    String appId = optionalText(body, "appId", errors);
    if (appId == null) error(errors, "appId", "is required");
    else if (!apps.contains(appId)) error(errors, "appId", "is not an app served here");

    String kind = optionalText(body, "kind", errors);
    if (kind == null) error(errors, "kind", "is required");
    else if (!kind.equals("template") && !kind.equals("subscribe")) error(errors, "kind", "must be 'template' or 'subscribe'");

    String templateId = optionalText(body, "templateId", errors);
    if (templateId == null) error(errors, "templateId", "is required");
    else if (!TEMPLATE_ID.matcher(templateId).matches()) error(errors, "templateId", "must be 1-128 of [A-Za-z0-9_-]");

    String page = optionalText(body, "page", errors);
    if (page != null && (page.length() > 256 || page.startsWith("/") || page.contains(" "))) {
      error(errors, "page", "must be a mini-program page path such as pages/index/index?x=1 (≤ 256 characters, no leading '/')");
    }

    Map<String, String> data = new LinkedHashMap<>();
    JsonNode dataNode = body.get("data");
    if (dataNode == null || dataNode.isNull()) {
      // some templates have no keywords
    } else if (!dataNode.isObject()) {
      error(errors, "data", "must be an object of keyword → string");
    } else if (dataNode.size() > 50) {
      error(errors, "data", "has more than 50 keywords");
    } else {
      for (var field : (Iterable<Map.Entry<String, JsonNode>>) dataNode::fields) {
        String key = field.getKey();
        JsonNode value = field.getValue();
        JsonNode text = value.isObject() ? value.get("value") : value; // also accept WeChat's {"value":…}
        if (!KEYWORD.matcher(key).matches()) error(errors, "data." + key, "is not a keyword name");
        else if (text == null || !text.isTextual()) error(errors, "data." + key, "must be a string");
        else if (text.asText().length() > 1000) error(errors, "data." + key, "is longer than 1000 characters");
        else data.put(key, text.asText());
      }
    }

    String emphasis = optionalText(body, "emphasisKeyword", errors);
    if (emphasis != null && !"template".equals(kind)) error(errors, "emphasisKeyword", "applies to kind 'template' only");
    if (emphasis != null && !emphasis.matches("[A-Za-z][A-Za-z0-9_]{0,31}\\.DATA")) error(errors, "emphasisKeyword", "must look like keyword1.DATA");
    String state = optionalText(body, "miniprogramState", errors);
    if (state != null && !STATES.contains(state)) error(errors, "miniprogramState", "must be developer, trial or formal");
    String lang = optionalText(body, "lang", errors);
    if (lang != null && !LANGS.contains(lang)) error(errors, "lang", "must be zh_CN, en_US, zh_HK or zh_TW");

    Long notAfter = null;
    JsonNode notAfterNode = body.get("notAfter");
    if (notAfterNode != null && !notAfterNode.isNull()) {
      if (!notAfterNode.isIntegralNumber() || !notAfterNode.canConvertToLong() || notAfterNode.asLong() <= 0) {
        error(errors, "notAfter", "must be a time in epoch milliseconds");
      } else {
        notAfter = notAfterNode.asLong();
      }
    }

    Long sendAt = null;
    JsonNode sendAtNode = body.get("sendAt");
    if (sendAtNode != null && !sendAtNode.isNull()) {
      if (!sendAtNode.isIntegralNumber() || !sendAtNode.canConvertToLong() || sendAtNode.asLong() <= 0) {
        error(errors, "sendAt", "must be a time in epoch milliseconds");
      } else if (sendAtNode.asLong() > System.currentTimeMillis() + MAX_SCHEDULE_AHEAD_MS) {
        error(errors, "sendAt", "is more than 7 days ahead (a push's state is kept 8 days)");
      } else if (notAfter != null && sendAtNode.asLong() >= notAfter) {
        error(errors, "sendAt", "must be before notAfter");
      } else {
        sendAt = sendAtNode.asLong();
      }
    }

    String callbackUrl = optionalText(body, "callbackUrl", errors);
    if (callbackUrl != null) {
      String problem = CallbackUrls.problem(callbackUrl, allowPrivateCallbacks);
      if (problem != null) error(errors, "callbackUrl", problem);
    }

    String priority = optionalText(body, "priority", errors);
    if (priority != null && !PushRequest.PRIORITIES.contains(priority)) error(errors, "priority", "must be low, normal or critical");

    PushRequest.Audience audience = audience(body.get("audience"), errors);
    if (!errors.isEmpty()) return new Invalid(errors);
    return new Valid(new PushRequest(PushRequest.VERSION, requestId, appId, kind, templateId, page, data, emphasis, state, lang, audience, notAfter,
        sendAt, callbackUrl, priority));
  }

  /** Shortest and longest recall window: a form_id lives 7 days. */
  static final Duration MIN_RECALL = Duration.ofHours(1);
  static final Duration MAX_RECALL = Duration.ofDays(7);

  private static PushRequest.Audience audience(JsonNode node, List<Map<String, String>> errors) {
    if (node == null || !node.isObject()) {
      error(errors, "audience", "is required: {\"openIds\":[…]}, {\"all\":true} or {\"expiringWithin\":\"48h\"}");
      return null;
    }
    JsonNode all = node.get("all");
    JsonNode openIds = node.get("openIds");
    JsonNode expiring = node.get("expiringWithin");
    if ((all != null ? 1 : 0) + (openIds != null ? 1 : 0) + (expiring != null ? 1 : 0) > 1) {
      error(errors, "audience", "takes one of openIds, all or expiringWithin");
      return null;
    }
    if (expiring != null) {
      Duration d;
      try {
        d = PushRequest.Audience.parseWindow(expiring.isTextual() ? expiring.asText() : null);
      } catch (IllegalArgumentException e) {
        error(errors, "audience.expiringWithin", "must be a duration such as 90m, 48h or 7d");
        return null;
      }
      if (d.compareTo(MIN_RECALL) < 0 || d.compareTo(MAX_RECALL) > 0) {
        error(errors, "audience.expiringWithin", "must be from 1h to 7d");
        return null;
      }
      return new PushRequest.Audience(null, null, expiring.asText());
    }
    if (all != null) {
      if (!all.isBoolean() || !all.asBoolean()) error(errors, "audience.all", "must be true");
      return new PushRequest.Audience(null, true);
    }
    if (openIds == null || !openIds.isArray() || openIds.isEmpty()) {
      error(errors, "audience.openIds", "must be a non-empty array");
      return null;
    }
    if (openIds.size() > MAX_LISTED) {
      error(errors, "audience.openIds", "lists more than " + MAX_LISTED + " users; use {\"all\":true} or several pushes");
      return null;
    }
    Set<String> unique = new LinkedHashSet<>();
    for (int i = 0; i < openIds.size(); i++) {
      JsonNode id = openIds.get(i);
      if (!id.isTextual() || !ID.matcher(id.asText()).matches()) {
        error(errors, "audience.openIds[" + i + "]", "must be 1-64 of [A-Za-z0-9_-]");
        return null;
      }
      unique.add(id.asText());
    }
    return new PushRequest.Audience(List.copyOf(unique), null);
  }

  private static String optionalText(JsonNode body, String field, List<Map<String, String>> errors) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) return null;
    if (!node.isTextual() || node.asText().isEmpty()) {
      error(errors, field, "must be a non-empty string");
      return null;
    }
    return node.asText();
  }

  private static void error(List<Map<String, String>> errors, String field, String message) {
    errors.add(Map.of("field", field, "message", message));
  }
}

package io.wxpush.deploy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls the metric names out of a PromQL expression, and knows the names wxpush exports.
 * Good enough for dashboards and autoscaler queries: label matchers, ranges, strings, grouping
 * clauses and function names are dropped; every identifier left is a metric.
 */
final class PromQl {
  /** Metric names (Prometheus form) wxpush exports, and prefixes of whole families ending in '_'. */
  static final List<String> KNOWN_METRICS = List.of(
      "wxpush_credentials_received_total",
      "wxpush_credentials_rejected_total",
      "wxpush_credentials_stored_total",
      "wxpush_credentials_expired_total",
      "wxpush_credentials_claimed_total",
      "wxpush_sends_total",
      "wxpush_wechat_call_seconds_bucket",
      "wxpush_token_refreshes_total",
      "wxpush_fanout_pages_total",
      "wxpush_fanout_tasks_total",
      "wxpush_dlq_records_total",
      "wxpush_push_outcomes_total",
      "http_server_requests_seconds_count",
      "kafka_consumer_",
      "kafka_producer_",
      "jvm_");

  private static final Set<String> KEYWORDS = Set.of(
      "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
      "inf", "nan");
  private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENT = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

  private PromQl() {}

  static Set<String> metricNames(String expr) {
    String s = expr
        .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")   // strings (label values, label_replace args)
        .replaceAll("\\{[^}]*}", " ")                   // label matchers
        .replaceAll("\\[[^]]*]", " ")                   // ranges and subqueries
        .replaceAll("\\$\\w+", " ");                    // Grafana variables outside matchers
    s = GROUPING.matcher(s).replaceAll(" ");
    // label_values(metric, label): the second argument is a label, not a metric.
    s = s.replaceAll("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)\\s*,\\s*\\w+\\s*\\)", "$1");
    Set<String> names = new LinkedHashSet<>();
    Matcher m = IDENT.matcher(s);
    while (m.find()) {
      String ident = m.group();
      int after = m.end();
      while (after < s.length() && Character.isWhitespace(s.charAt(after))) after++;
      boolean isFunction = after < s.length() && s.charAt(after) == '(';
      boolean isNumberPart = m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1)) || s.charAt(m.start() - 1) == '.');
      if (isFunction || isNumberPart || KEYWORDS.contains(ident.toLowerCase())) continue;
      names.add(ident);
    }
    return names;
  }

  /** True when the name starts with one wxpush exports or with an exported family's prefix (kafka_consumer_*, jvm_*). */
  static boolean isKnown(String metric) {
    return KNOWN_METRICS.stream().anyMatch(metric::startsWith);
  }
}

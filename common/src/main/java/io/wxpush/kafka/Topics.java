package io.wxpush.kafka;

/**
 * The names of wxpush's topics and consumer groups, all under one prefix ({@code KAFKA_TOPIC_PREFIX}).
 * Groups share the prefix so that two deployments (or two tests) on one broker never meet.
 */
public record Topics(String prefix) {
  public String credentials() {
    return prefix + "credentials";
  }

  public String pushRequests() {
    return prefix + "push-requests";
  }

  public String pushTasks() {
    return prefix + "push-tasks";
  }

  public String pushResults() {
    return prefix + "push-results";
  }

  public String pushDlq() {
    return prefix + "push-dlq";
  }

  /** Audit records: one per change made through the push API ({@code wxpush.audit}, key appId). */
  public String audit() {
    return prefix + "audit";
  }

  /** Consumer group of the credential sink (role {@code credentials}). */
  public String credentialSinkGroup() {
    return prefix + "credential-sink";
  }

  /** Consumer group of the fan-out role. */
  public String fanoutGroup() {
    return prefix + "fanout";
  }

  /** Share group (or classic group) of the senders. */
  public String senderGroup() {
    return prefix + "senders";
  }
}

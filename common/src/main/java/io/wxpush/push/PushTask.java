package io.wxpush.push;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.wxpush.client.PushRequest;
import java.util.Map;
import java.util.Optional;

/**
 * One user's share of a push, as carried on {@code wxpush.push-tasks} (key {@code appId:openId}).
 * It holds the whole message and the push's run stamp ({@link PushRun}: {@code run}, {@code until},
 * {@code buckets}), so a sender needs nothing else to send it. Version 1 tasks (from before the
 * stamp) carry none; a sender then reads it from the push's status. {@code priority} is the push's
 * ({@code low}, {@code critical}; null for normal).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PushTask(
    int v,
    String requestId,
    String appId,
    String openId,
    String kind,
    String templateId,
    String page,
    Map<String, String> data,
    String emphasisKeyword,
    String miniprogramState,
    String lang,
    Long notAfter,
    String run,
    Long until,
    Integer buckets,
    String priority) {

  /** A task of normal priority (as before priorities). */
  public PushTask(int v, String requestId, String appId, String openId, String kind, String templateId, String page, Map<String, String> data,
      String emphasisKeyword, String miniprogramState, String lang, Long notAfter, String run, Long until, Integer buckets) {
    this(v, requestId, appId, openId, kind, templateId, page, data, emphasisKeyword, miniprogramState, lang, notAfter, run, until, buckets, null);
  }

  public static PushTask of(PushRequest r, String openId, PushRun run) {
    return new PushTask(2, r.requestId(), r.appId(), openId, r.kind(), r.templateId(), r.page(), r.data(),
        r.emphasisKeyword(), r.miniprogramState(), r.lang(), r.notAfter(), run.id(), run.untilMs(), run.outcomeBuckets(), r.priority());
  }

  /** This task with {@code run} stamped on it. */
  public PushTask withRun(PushRun run) {
    return new PushTask(2, requestId, appId, openId, kind, templateId, page, data, emphasisKeyword, miniprogramState, lang, notAfter,
        run.id(), run.untilMs(), run.outcomeBuckets(), priority);
  }

  /** True for a {@code critical} push's task: quiet hours, caps and the reserve do not apply. */
  public boolean critical() {
    return "critical".equals(priority);
  }

  /** True for a {@code low} push's task: the app's reserve applies. */
  public boolean low() {
    return "low".equals(priority);
  }

  /** The run stamp, if the task carries one (version 2 on). */
  public Optional<PushRun> pushRun() {
    return run == null || until == null || buckets == null ? Optional.empty()
        : Optional.of(new PushRun(run, until, buckets));
  }

  public boolean subscribe() {
    return "subscribe".equals(kind);
  }

  public String kafkaKey() {
    return appId + ":" + openId;
  }
}

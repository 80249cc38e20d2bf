package io.wxpush.push;

import io.wxpush.client.PushRequest;
import java.util.Objects;

/**
 * Which push: its app and the requestId the app gave it. A requestId belongs to its app (BRIEF §3
 * v3): two apps may use one id for two pushes, so every key of a push carries both
 * ({@code RedisKeys}: {@code push{appId:requestId}…}).
 */
public record PushId(String appId, String requestId) {
  public PushId {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(requestId, "requestId");
  }

  public static PushId of(PushRequest push) {
    return new PushId(push.appId(), push.requestId());
  }

  public static PushId of(PushTask task) {
    return new PushId(task.appId(), task.requestId());
  }

  @Override
  public String toString() {
    return appId + "/" + requestId;
  }
}

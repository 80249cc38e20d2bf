package io.wxpush.push;

import io.wxpush.client.PushRequest;

/**
 * A record on {@code wxpush.push-requests} (key: the requestId): a push to fan out, a retry round of
 * one, or the resume of one that waited out quiet hours. {@link PushCommandCodec} is its one codec.
 */
public sealed interface PushCommand permits PushCommand.Request, PushCommand.RetryRound, PushCommand.Resume {
  /** The push it is about: its requestId (of its app). */
  String requestId();

  /** The app of the push it is about: a requestId belongs to its app. */
  String appId();

  /** The push it is about. */
  default PushId id() {
    return new PushId(appId(), requestId());
  }

  /** A push request, as {@code POST /v1/pushes} takes it. */
  record Request(PushRequest request) implements PushCommand {
    @Override
    public String requestId() {
      return request.requestId();
    }

    @Override
    public String appId() {
      return request.appId();
    }
  }

  /** {@code POST …/retry}: round {@code round} (1, 2, …) of the push's retryable users. */
  record RetryRound(String appId, String requestId, long round) implements PushCommand {
    public RetryRound {
      if (round < 1) throw new IllegalArgumentException("a retry round is 1 or more");
    }
  }

  /** Quiet hours ended for a waiting push: its fan-out goes on, its held users get their tasks again. */
  record Resume(String appId, String requestId) implements PushCommand {}
}

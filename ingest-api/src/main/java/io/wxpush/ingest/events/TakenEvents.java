package io.wxpush.ingest.events;

import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * The nonce memory of the message-push endpoint: which signed requests (timestamp, nonce,
 * {@code signature} and, in AES mode, {@code msg_signature}) have had their event published and
 * answered {@code success}, kept in Redis ({@link RedisKeys.Family#EVENT_TAKEN}) for
 * {@link EventWindow#REMEMBER}, as long as the timestamp can pass the window. A request is
 * remembered only once its event is published: WeChat retries a request it got no
 * {@code success} for with the same timestamp and nonce, and that retry must still be taken. A
 * request already taken is a replay, or WeChat's retry after a lost answer: the handler answers
 * it {@code success} and publishes nothing. The check and the memory are two commands around the
 * publish, so two copies that arrive together may both be published: the credentials role applies
 * a repeated event idempotently, and only a grant collected within that one publish's time could
 * be dropped by the second copy. Thread-safe.
 */
final class TakenEvents {
  private final UnifiedJedis redis;
  private final RedisKeys keys;

  TakenEvents(UnifiedJedis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /**
   * One signed request of an app, as the key of its memory. The signatures are compared case-blind
   * (as {@code MessagePushCrypto.verify} does), so they are lowercased; {@code msgSignature} is
   * {@code null} unless the request was verified in AES mode (a parameter nothing checked must not
   * make a replay look new).
   */
  record Signed(String appId, String timestamp, String nonce, String signature, String msgSignature) {
    String digest() {
      String joined = timestamp + "\n" + nonce + "\n" + signature.toLowerCase(Locale.ROOT) + "\n"
          + (msgSignature == null ? "" : msgSignature.toLowerCase(Locale.ROOT));
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every JDK", e);
      }
    }
  }

  /** True when this request's event was published before (within {@link EventWindow#REMEMBER}). */
  boolean taken(Signed request) {
    return StoreUnavailableException.around("event memory", () -> redis.exists(key(request)));
  }

  /** Remembers a request whose event was just published (the first memory stands: SET NX). */
  void remember(Signed request) {
    StoreUnavailableException.around("event memory",
        () -> redis.set(key(request), "1", SetParams.setParams().nx().px(EventWindow.REMEMBER.toMillis())));
  }

  private String key(Signed request) {
    return keys.eventTaken(request.appId(), request.digest());
  }
}

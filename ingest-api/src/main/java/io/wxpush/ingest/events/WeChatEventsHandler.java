package io.wxpush.ingest.events;

import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.wxpush.wechat.WeChatApp;
import io.wxpush.http.ApiException;
import io.wxpush.json.Json;
import io.wxpush.kafka.AckedPublisher;
import io.wxpush.kafka.KafkaUnavailableException;
import io.wxpush.metrics.WxpushMeter;
import io.wxpush.redis.RedisKeys;
import io.wxpush.redis.StoreUnavailableException;
import io.wxpush.wechat.push.MessagePushCrypto;
import io.wxpush.wechat.push.PushMessage;
import io.wxpush.wechat.push.WeChatEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code GET|POST /v1/wechat/{appId}/events}: the app's WeChat message-push URL. {@code GET} is
 * the console's URL check ({@code signature} over token, timestamp and nonce; the {@code echostr}
 * answered back). {@code POST} takes an event in plaintext, compatible or safe mode
 * ({@code encrypt_type=aes}: {@code msg_signature} over the {@code Encrypt} too, then AES), JSON
 * or XML; a subscribe-message event is published to {@code wxpush.credentials} and acknowledged by
 * Kafka before {@code success} is answered, so an event WeChat was told is taken is never lost
 * (and one it retries adds nothing: the credentials role applies events idempotently). Signatures
 * are compared in constant time; a bad one is 401 and changes nothing. A request whose
 * {@code timestamp} is more than 5 minutes from now ({@link EventWindow}) is {@code 401
 * stale_event}, so an event URL once seen cannot be replayed later; within the window a request
 * whose event was already published ({@link TakenEvents}: same timestamp, nonce and signatures)
 * is answered {@code success} and publishes nothing, so a replayed {@code reject} cannot drop
 * grants collected since, while WeChat's retry of a request that got no {@code success} (a 503)
 * is still taken. An app configured with an
 * EncodingAESKey takes only encrypted requests (compatible or safe mode: {@code 401
 * encryption_required} otherwise), so safe mode cannot be bypassed by leaving encryption out.
 */
public final class WeChatEventsHandler {
  private static final Logger log = LoggerFactory.getLogger(WeChatEventsHandler.class);

  private final Map<String, WeChatApp> apps;
  private final AckedPublisher publisher;
  private final String topic;
  private final MeterRegistry meters;
  private final EventWindow window;
  private final TakenEvents taken;

  public WeChatEventsHandler(Map<String, WeChatApp> apps, AckedPublisher publisher, String topic, MeterRegistry meters, Clock clock,
      UnifiedJedis redis, RedisKeys keys) {
    this.apps = Map.copyOf(apps);
    this.publisher = publisher;
    this.topic = topic;
    this.meters = meters;
    this.window = new EventWindow(clock);
    this.taken = new TakenEvents(redis, keys);
  }

  private MessagePushCrypto crypto(Context ctx) {
    String appId = ctx.pathParam("appId");
    WeChatApp app = apps.get(appId);
    if (app == null) throw ApiException.notFound("no app '" + appId + "' is served here");
    return MessagePushCrypto.of(app).orElseThrow(() -> ApiException.notFound(
        "message push is not configured for app '" + appId + "' (WECHAT_APPS entry appId:secret:token[:encodingAesKey])"));
  }

  private static ApiException badSignature() {
    return new ApiException(401, "invalid_signature", "the signature does not match this app's message-push token");
  }

  /** The request is signed; its timestamp must also be fresh (checked after the signature, so the answer tells a clock problem apart). */
  private void requireFresh(String timestamp) {
    if (!window.admits(timestamp)) {
      throw new ApiException(401, "stale_event", "the timestamp is more than " + EventWindow.MAX_SKEW.toMinutes()
          + " minutes from this server's clock: a replay, or a clock out of sync");
    }
  }

  /** The console's URL check. */
  public void verify(Context ctx) {
    MessagePushCrypto crypto = crypto(ctx);
    if (!crypto.verify(ctx.queryParam("signature"), ctx.queryParam("timestamp"), ctx.queryParam("nonce"))) throw badSignature();
    requireFresh(ctx.queryParam("timestamp"));
    String echo = ctx.queryParam("echostr");
    ctx.contentType("text/plain; charset=utf-8").result(echo == null ? "" : echo);
  }

  public void receive(Context ctx) {
    String appId = ctx.pathParam("appId");
    MessagePushCrypto crypto = crypto(ctx);
    String timestamp = ctx.queryParam("timestamp");
    String nonce = ctx.queryParam("nonce");
    if (!crypto.verify(ctx.queryParam("signature"), timestamp, nonce)) throw badSignature();
    requireFresh(timestamp);
    boolean aes = "aes".equalsIgnoreCase(ctx.queryParam("encrypt_type"));
    if (crypto.canDecrypt() && !aes) {
      throw new ApiException(401, "encryption_required", "this app has an EncodingAESKey: it takes only encrypted requests (compatible or safe mode)");
    }
    byte[] raw = ctx.bodyAsBytes();
    if (raw.length > PushMessage.MAX_BYTES) throw new ApiException(413, "body_too_large", "an event is at most " + PushMessage.MAX_BYTES + " bytes");
    PushMessage message = parse(new String(raw, StandardCharsets.UTF_8));
    if (aes) {
      String encrypted = message.field("Encrypt").orElseThrow(() -> ApiException.badRequest("invalid_event", "encrypt_type=aes without Encrypt"));
      if (!crypto.canDecrypt()) throw ApiException.badRequest("invalid_event", "safe mode, but no EncodingAESKey is configured for this app");
      if (!crypto.verify(ctx.queryParam("msg_signature"), timestamp, nonce, encrypted)) throw badSignature();
      try {
        message = parse(crypto.decrypt(encrypted));
      } catch (MessagePushCrypto.WrongAppException e) {
        throw new ApiException(401, "wrong_app", "the message is encrypted for another app");
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("invalid_event", e.getMessage());
      }
    }
    Optional<WeChatEvent> event;
    try {
      event = WeChatEvent.of(appId, message);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_event", e.getMessage());
    }
    if (event.isPresent()) {
      WeChatEvent e = event.get();
      TakenEvents.Signed signed = new TakenEvents.Signed(appId, timestamp, nonce, ctx.queryParam("signature"),
          aes ? ctx.queryParam("msg_signature") : null);
      if (taken.taken(signed)) {
        // a replay, or WeChat's retry after our success was lost: the event is in Kafka already
        WxpushMeter.WECHAT_EVENTS.counter(meters, "replayed").increment();
        log.info("event=wechat_event_replayed app={} type={}", appId, e.event());
        ctx.contentType("text/plain; charset=utf-8").result("success");
        return;
      }
      try {
        publisher.publishAll(List.of(new ProducerRecord<>(topic, e.kafkaKey(), Json.write(e))));
      } catch (KafkaUnavailableException ex) {
        log.warn("event=wechat_event_unavailable app={} type={} error={}", appId, e.event(), ex.getMessage());
        throw ApiException.unavailable("unavailable", "the event could not be stored; WeChat retries it", Duration.ofSeconds(5));
      }
      try {
        taken.remember(signed);
      } catch (StoreUnavailableException ex) {
        // the event is stored, so it is answered success; only this request's replay stays possible within the window
        log.warn("event=wechat_event_unremembered app={} type={} error={}", appId, e.event(), ex.getMessage());
      }
      WxpushMeter.WECHAT_EVENTS.counter(meters, e.event()).increment();
      log.info("event=wechat_event app={} type={} items={}", appId, e.event(), e.items().size());
    } else {
      WxpushMeter.WECHAT_EVENTS.counter(meters, "other").increment();
    }
    ctx.contentType("text/plain; charset=utf-8").result("success");
  }

  private static PushMessage parse(String body) {
    try {
      return PushMessage.parse(body);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_event", e.getMessage());
    }
  }
}

package io.wxpush.ingest.push;

import io.javalin.http.Context;
import io.wxpush.http.ApiException;
import io.wxpush.ingest.auth.ApiKey;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.push.PushId;
import io.wxpush.push.PushStatusStore;
import io.wxpush.redis.RedisKeys;
import io.wxpush.user.UserRef;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code GET /v1/pushes/{requestId}/users/{openId}} ({@code ?appId=} as the other push routes): did
 * this user get this push? {@code 200 {"state","reason"?,"kind"?,"at"?}} from the send ledger while it
 * keeps the push's entries ({@link UserOutcomes}); {@code 404} for a push the key cannot see or that
 * does not exist, and for a user of a finished push who was not in its audience; {@code 410 gone}
 * once the ledger may have let the user's entry go ({@code LEDGER_GRACE} after the push began).
 */
public final class UserOutcomeHandler {
  private final PushApiKeys keys;
  private final Set<String> apps;
  private final PushStatusStore status;
  private final UserOutcomes outcomes;

  /** @param longTerm whether (appId, templateId) is a long-term template */
  public UserOutcomeHandler(PushApiKeys keys, Set<String> apps, PushStatusStore status, UnifiedJedis redis, RedisKeys redisKeys,
      BiPredicate<String, String> longTerm) {
    this.keys = keys;
    this.apps = Set.copyOf(apps);
    this.status = status;
    this.outcomes = new UserOutcomes(redis, redisKeys, longTerm);
  }

  public void show(Context ctx) {
    ApiKey key = keys.require(ctx);
    String requestId = ctx.pathParam("requestId");
    String openId = ctx.pathParam("openId");
    if (!UserRef.isValidId(openId)) throw ApiException.badRequest("invalid_request", "'openId' must be 1-64 of [A-Za-z0-9_-]");
    // as GET /v1/pushes/{requestId}: another app's push is never looked at, so it is 404 to the key
    Optional<String> app = PushApiKeys.appOfRequestId(ctx, key, apps, candidates -> status.appsWith(requestId, candidates));
    if (app.isEmpty() || status.read(new PushId(app.get(), requestId)).isEmpty()) {
      throw ApiException.notFound("no push with requestId '" + requestId + "'");
    }
    switch (outcomes.of(new PushId(app.get(), requestId), openId)) {
      case UserOutcomes.Known k -> ctx.json(k.json());
      case UserOutcomes.NotInPush n -> throw ApiException.notFound("user '" + openId + "' was not in push '" + requestId + "'");
      case UserOutcomes.Gone g -> throw new ApiException(410, "gone", "push '" + requestId + "' no longer keeps its per-user outcomes"
          + " (LEDGER_GRACE after each is written; or user '" + openId + "' was not in it): its results are on the push-results topic");
    }
  }
}

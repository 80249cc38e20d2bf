package io.wxpush.ingest.credentials;

import io.javalin.http.Context;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.credentials.PoolSnapshot;
import io.wxpush.user.UserRef;
import io.wxpush.http.ApiException;
import io.wxpush.ingest.auth.PushApiKeys;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code GET /v1/users/{openId}/credentials?appId=…} (push API key): how many live credentials
 * a user has of each kind, the soonest expiry, and grants per template.
 */
public final class UserCredentialsHandler {
  private final PushApiKeys keys;
  private final Function<UserRef, PoolSnapshot> pools;
  private final Set<String> apps;

  public UserCredentialsHandler(PushApiKeys keys, CredentialPool pool, Set<String> apps) {
    this(keys, pool::inspect, apps);
  }

  /** @param pools what a user's pools hold ({@link CredentialPool#inspect} here; a fake in tests without Redis) */
  UserCredentialsHandler(PushApiKeys keys, Function<UserRef, PoolSnapshot> pools, Set<String> apps) {
    this.keys = keys;
    this.pools = pools;
    this.apps = Set.copyOf(apps);
  }

  public void show(Context ctx) {
    String appId = keys.requireForQueryApp(ctx, apps);
    String openId = ctx.pathParam("openId");
    if (!UserRef.isValidId(openId)) throw ApiException.badRequest("invalid_request", "openId must be 1-64 of [A-Za-z0-9_-]");
    PoolSnapshot s = pools.apply(new UserRef(appId, openId));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("openId", openId);
    answer.put("appId", appId);
    answer.put("formIds", s.formIds());
    answer.put("prepayIds", s.prepayIds());
    answer.put("sendsLeft", s.sendsLeft());
    answer.put("soonestExpiry", s.soonestExpiry().orElse(null));
    answer.put("grants", s.grants());
    answer.put("longTerm", s.longTerm());
    ctx.json(answer);
  }
}

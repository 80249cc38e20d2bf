package io.wxpush.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.wxpush.http.ApiException;
import io.wxpush.ingest.http.JsonBody;
import io.wxpush.ingest.audit.AuditAction;
import io.wxpush.ingest.audit.AuditSink;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.ingest.auth.Role;
import io.wxpush.json.Json;
import io.wxpush.policy.Policy;
import io.wxpush.policy.PolicyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET|PUT /v1/apps/{appId}/policy} (push API key scoped to the app): the app's quiet hours,
 * frequency cap and reserve. {@code PUT} replaces the whole policy; every worker uses it within
 * {@link PolicyStore#LOCAL_MS} ms. An app never PUT answers the deployment's default, marked
 * {@code "default": true}. Reading wants any role; {@code PUT} an admin key, and is audited.
 */
public final class PolicyHandler {
  private static final Logger log = LoggerFactory.getLogger(PolicyHandler.class);
  private static final long MAX_BODY = 4 * 1024;
  /** The policy's JSON says "none" with an explicit null, as the contract shows it (the shared mapper leaves nulls out). */
  private static final ObjectMapper WITH_NULLS = Json.MAPPER.copy()
      .setDefaultPropertyInclusion(JsonInclude.Value.construct(
          JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS));

  private final PushApiKeys keys;
  private final PolicyStore policies;
  private final Set<String> apps;
  private final AuditSink audit;

  public PolicyHandler(PushApiKeys keys, PolicyStore policies, Set<String> apps, AuditSink audit) {
    this.keys = keys;
    this.audit = audit;
    this.policies = policies;
    this.apps = Set.copyOf(apps);
  }

  public void show(Context ctx) {
    String appId = keys.requireForPathApp(ctx, apps);
    reply(ctx, answer(appId, policies.read(appId)));
  }

  public void replace(Context ctx) {
    PushApiKeys.Authorized who = keys.forPathApp(ctx, apps, Role.ADMIN);
    String appId = who.appId();
    Policy policy = switch (Policy.parse(JsonBody.object(ctx, MAX_BODY))) {
      case Policy.Valid v -> v.policy();
      case Policy.Invalid i -> throw ApiException.badRequest("invalid_policy", "the policy has " + i.errors().size() + " problem(s)")
          .withDetail("fields", i.errors());
    };
    policies.put(appId, policy);
    audit.changed(who.key(), appId, AuditAction.POLICY_PUT, "policy", "replaced");
    log.info("event=policy_changed app={} quietHours={} maxPerUserPerDay={} reserveLast={}", appId,
        policy.quietHours() == null ? "none" : policy.quietHours().toJson(), policy.maxPerUserPerDay(), policy.reserveLast());
    reply(ctx, answer(appId, policy));
  }

  private static void reply(Context ctx, Map<String, Object> answer) {
    try {
      ctx.contentType("application/json").result(WITH_NULLS.writeValueAsBytes(answer));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Map<String, Object> answer(String appId, Policy policy) {
    Map<String, Object> a = new LinkedHashMap<>(policy.toJson());
    a.put("appId", appId);
    a.put("default", policy == policies.defaults());
    return a;
  }
}

package io.wxpush.ingest.audit;

import io.javalin.http.Context;
import io.wxpush.http.ApiException;
import io.wxpush.ingest.auth.PushApiKeys;
import io.wxpush.ingest.auth.Role;
import io.wxpush.redis.StoreUnavailableException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/audit?appId=&limit=&cursor=} (an admin key scoped to the app): the app's recent
 * audit records, newest first, {@code {"records":[…],"nextCursor"?}} ({@link AuditLog}: the last
 * {@link AuditLog#KEEP}, at most about {@link AuditLog#MAX_PER_APP}; the topic keeps the rest).
 */
public final class AuditHandler {
  /** Records per page unless {@code limit} says otherwise (1–{@value #MAX_LIMIT}). */
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  private final PushApiKeys keys;
  private final AuditLog recent;
  private final Set<String> apps;

  public AuditHandler(PushApiKeys keys, AuditLog recent, Set<String> apps) {
    this.keys = keys;
    this.recent = recent;
    this.apps = Set.copyOf(apps);
  }

  public void list(Context ctx) {
    String appId = keys.forQueryApp(ctx, apps, Role.ADMIN).appId();
    int limit = DEFAULT_LIMIT;
    String limitText = ctx.queryParam("limit");
    if (limitText != null) {
      limit = limitText.matches("[0-9]{1,4}") ? Integer.parseInt(limitText) : -1;
      if (limit < 1 || limit > MAX_LIMIT) throw ApiException.badRequest("invalid_request", "'limit' must be 1-" + MAX_LIMIT);
    }
    String cursor = ctx.queryParam("cursor");
    if (cursor != null && !AuditLog.isCursor(cursor)) throw ApiException.badRequest("invalid_request", "'cursor' is not one this API gave");
    int pageSize = limit;
    AuditLog.Page page = StoreUnavailableException.around("reading the audit trail of " + appId, () -> recent.page(appId, cursor, pageSize));
    Map<String, Object> answer = new LinkedHashMap<>();
    List<Map<String, Object>> records = page.records().stream().map(AuditRecord::toJson).toList();
    answer.put("records", records);
    page.nextCursor().ifPresent(c -> answer.put("nextCursor", c));
    ctx.json(answer);
  }
}

package io.wxpush.ingest.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.wxpush.ingest.auth.AddressThrottle;
import io.wxpush.ingest.auth.ClientAddress;
import io.wxpush.wechat.WeChatApp;
import io.wxpush.user.UserRef;
import io.wxpush.http.ApiException;
import io.wxpush.ingest.http.JsonBody;
import io.wxpush.wechat.Code2Session;
import io.wxpush.wechat.WeChatClient;
import io.wxpush.wechat.WeChatException;
import io.wxpush.wechat.WeChatReply;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/sessions}: exchanges a {@code wx.login} code for the user's openId through
 * {@code sns/jscode2session} and answers a session token for the credential uploads.
 */
public final class SessionHandler {
  /** Largest body this route takes: {appId, code}. */
  public static final long MAX_BODY_BYTES = 4 * 1024;

  private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

  private final Map<String, WeChatApp> apps;
  private final WeChatClient weChat;
  private final SessionTokens tokens;
  private final ClientAddress addresses;
  private final AddressThrottle perAddress;

  /**
   * @param addresses who a request comes from ({@code TRUSTED_PROXIES})
   * @param perAddress {@code SESSIONS_PER_ADDRESS_PER_MINUTE}: each exchange spends the app's jscode2session quota
   */
  public SessionHandler(Map<String, WeChatApp> apps, WeChatClient weChat, SessionTokens tokens,
      ClientAddress addresses, AddressThrottle perAddress) {
    this.addresses = addresses;
    this.perAddress = perAddress;
    this.apps = Map.copyOf(apps);
    this.weChat = weChat;
    this.tokens = tokens;
  }

  public void create(Context ctx) {
    JsonNode body = JsonBody.object(ctx, MAX_BODY_BYTES);
    String appId = JsonBody.text(body, "appId", 64);
    String code = JsonBody.text(body, "code", 256);
    WeChatApp app = apps.get(appId);
    if (app == null) throw ApiException.badRequest("unknown_app", "appId '" + appId + "' is not served here");
    if (!perAddress.tryCount(addresses.of(ctx))) {
      throw new ApiException(429, "rate_limited", "too many logins from this address; try again in a minute", Optional.of(Duration.ofSeconds(60)));
    }
    Code2Session session;
    try {
      session = weChat.code2Session(app, code);
    } catch (WeChatException e) {
      throw mapped(e.reply(), appId);
    }
    if (!UserRef.isValidId(session.openId())) {
      throw new ApiException(502, "wechat_error", "WeChat answered an openId wxpush cannot use");
    }
    UserRef user = new UserRef(appId, session.openId());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("token", tokens.mint(user));
    answer.put("openId", user.openId());
    answer.put("expiresIn", tokens.ttl().toSeconds());
    ctx.status(200).json(answer);
  }

  private static ApiException mapped(WeChatReply reply, String appId) {
    log.info("event=code2session_refused app={} errcode={} http={}", appId, reply.errcode(), reply.httpStatus());
    return switch (reply.errcode()) {
      case 40029 -> ApiException.badRequest("invalid_code", "the login code is invalid or expired; call wx.login again");
      case 40163 -> ApiException.badRequest("code_used", "the login code was already used; call wx.login again");
      case 40226 -> new ApiException(403, "user_blocked", "WeChat blocks this user as high-risk");
      case 45011 -> new ApiException(429, "rate_limited", "WeChat rate-limits logins; try again shortly", Optional.of(Duration.ofSeconds(5)));
      case 40013, 40125 -> new ApiException(502, "app_misconfigured", "WeChat refused this app's credentials");
      default -> ApiException.unavailable("wechat_unavailable", "WeChat is not answering; try again shortly", Duration.ofSeconds(3));
    };
  }
}

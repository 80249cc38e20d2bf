package io.wxpush.sim;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wxpush.http.HttpServer;
import io.wxpush.metrics.Registries;
import io.wxpush.sim.push.PushFormat;
import io.wxpush.sim.push.PushMode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running stand-in for the WeChat mini-program server API, modelled on OkHttp's
 * MockWebServer: start one (port 0 in tests), point {@code WECHAT_API_BASE} at
 * {@link #baseUrl()}, mint credentials for simulated users, then assert on their inboxes and
 * the counters. Every method is thread-safe; the same controls exist over HTTP under
 * {@code /sim/…} ({@link AdminRoutes}).
 */
public final class WeChatSim implements AutoCloseable {
  private static final int MAX_MINT = 1_000_000;
  private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(10);

  private final SimConfig config;
  private final SimClock clock = new SimClock();
  private final UserDirectory users = new UserDirectory();
  private final TemplateRegistry templates = new TemplateRegistry();
  private final Interner interner = new Interner(100_000);
  private final SimStats stats = new SimStats();
  private final SimMessagePush messagePush = new SimMessagePush(clock, Duration.ofMillis(500));
  private final LoginCodes loginCodes = new LoginCodes();
  private final TokenAuthority tokens;
  private final SimFaults faults = new SimFaults(clock);
  private final AtomicLong grantIds = new AtomicLong();
  private final RequestLog requests;
  private final PrometheusMeterRegistry registry;
  private final Javalin http;

  private WeChatSim(SimConfig config) {
    this.config = config;
    this.tokens = new TokenAuthority(clock, config.tokenTtl());
    this.requests = new RequestLog(config.requestLogCapacity());
    RequestRecorder recorder = new RequestRecorder(requests, clock);
    applyConfig();
    SendProcessor sends = new SendProcessor(users, templates, interner, stats, messagePush::delivered);
    WeChatRoutes weChat = new WeChatRoutes(config.apps(), clock, tokens, loginCodes, sends, faults, stats, templates);
    AdminRoutes admin = new AdminRoutes(this);
    RequestLogRoutes requestLog = new RequestLogRoutes(this);
    this.registry = Registries.prometheus("wechat-sim");
    this.http = HttpServer.create(registry, config.maxRequestBytes(), Map.of(), routes -> {
      routes.before(recorder::record);
      weChat.register(routes);
      admin.register(routes);
      requestLog.register(routes);
    });
    // Javalin nests its own servlet handler inside a wrapper found on the server at start.
    SendEndpointHandler sendEndpoints = new SendEndpointHandler(weChat, recorder, config.maxRequestBytes());
    http.unsafe.jetty.modifyServer(server -> server.setHandler(sendEndpoints));
  }

  /** Starts a sim on {@code config.port()} (0 for any free port); returns once it accepts requests. */
  public static WeChatSim start(SimConfig config) {
    WeChatSim sim = new WeChatSim(Objects.requireNonNull(config, "config"));
    sim.http.start(config.host(), config.port());
    return sim;
  }

  /** {@code http://127.0.0.1:<port>}, to use as {@code WECHAT_API_BASE}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public int port() {
    return http.port();
  }

  public SimConfig config() {
    return config;
  }

  /** Adds or replaces a template of an app. */
  public void registerTemplate(SimTemplate template) {
    requireApp(template.appId());
    templates.register(template);
  }

  /** Deletes a template of an app, as its owner deleting it in the WeChat console: sends naming it get 40037. */
  public boolean removeTemplate(String appId, String templateId) {
    requireApp(appId);
    return templates.remove(appId, templateId);
  }

  /** A {@code wx.login} code for {@code openId}: one exchange through jscode2session, within 5 minutes. */
  public String mintLoginCode(String appId, String openId) {
    SimUser user = user(appId, openId);
    return loginCodes.mint(user.appId, user.openId, clock.nowMillis());
  }

  /** {@code count} form_ids of {@code openId}, one send each, valid 7 days from the sim clock's now. */
  public List<String> mintFormIds(String appId, String openId, int count) {
    return mint(user(appId, openId), false, count(count));
  }

  /** One prepay_id of {@code openId}: three sends within 7 days. */
  public String mintPrepayId(String appId, String openId) {
    return mintPrepayIds(appId, openId, 1).get(0);
  }

  public List<String> mintPrepayIds(String appId, String openId, int count) {
    return mint(user(appId, openId), true, count(count));
  }

  /**
   * The user's accepts of {@code templateId} are gone (as a settings reject, but with no event pushed:
   * the app learns it from a send's 43101). Returns how many were left.
   */
  public int revokeSubscription(String appId, String openId, String templateId) {
    return user(appId, openId).revoke(templateId);
  }

  /** Records one accept of the one-time subscription {@code templateId}; returns an id unique per accept. */
  public String grantSubscription(String appId, String openId, String templateId) {
    return grantSubscriptions(appId, openId, templateId, 1).get(0);
  }

  public List<String> grantSubscriptions(String appId, String openId, String templateId, int count) {
    if (templateId == null || templateId.isBlank()) throw new IllegalArgumentException("templateId is required");
    SimUser user = user(appId, openId);
    user.grant(templateId, count(count));
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) ids.add("simgrant" + users.generation() + "_" + Long.toString(grantIds.incrementAndGet(), 36));
    return ids;
  }

  /** {@code perUser} form_ids for each of {@code openIds}: openId → form_ids, in the order given. */
  public Map<String, List<String>> mintFormIdsBulk(String appId, List<String> openIds, int perUser) {
    requireApp(appId);
    count(perUser);
    if ((long) openIds.size() * perUser > 10L * MAX_MINT) throw new IllegalArgumentException("bulk mint is limited to " + 10 * MAX_MINT + " form_ids");
    Map<String, List<String>> out = new LinkedHashMap<>(openIds.size() * 2);
    for (String openId : openIds) out.put(openId, mint(user(appId, openId), false, perUser));
    return out;
  }

  /**
   * Sets where the app's message-push events go, as its console's settings would.
   *
   * @param encodingAesKey 43 characters; ignored (may be null) in {@code plaintext} mode
   * @param mode {@code plaintext}, {@code compatible} or {@code safe}; @param format {@code json} or {@code xml}
   */
  public void configureMessagePush(String appId, URI url, String token, String encodingAesKey, String mode, String format) {
    configureMessagePush(appId, url, token, encodingAesKey, mode, format, true);
  }

  /**
   * As above; with {@code sentEvents} false, delivered subscribe messages raise no
   * {@code subscribe_msg_sent_event} (by default each does, as WeChat's do, even when the send's
   * answer is then lost).
   */
  public void configureMessagePush(String appId, URI url, String token, String encodingAesKey, String mode, String format, boolean sentEvents) {
    requireApp(appId);
    messagePush.configure(appId, new SimMessagePush.Target(url, token, encodingAesKey, PushMode.parse(mode),
        PushFormat.parse(format), sentEvents));
  }

  /**
   * The user answers a subscribe popup: each {@code accept} credits one send of that template
   * (as {@link #grantSubscription}), and a {@code subscribe_msg_popup_event} with every answer is
   * pushed to the app's URL {@code deliveries} times. Returns the event's CreateTime.
   */
  public long answerPopup(String appId, String openId, Map<String, String> answers, int deliveries) {
    SimUser user = user(appId, openId);
    List<Map<String, String>> items = new ArrayList<>();
    answers.forEach((template, answer) -> {
      if (!answer.equals("accept") && !answer.equals("reject")) throw new IllegalArgumentException("an answer is accept or reject");
      if (answer.equals("accept")) user.grant(template, 1);
      items.add(Map.of("TemplateId", template, "SubscribeStatusString", answer, "PopupScene", "0"));
    });
    return messagePush.push(appId, openId, "subscribe_msg_popup_event", "SubscribeMsgPopupEvent", items, deliveries);
  }

  /** The user turns templates off in the service-notification settings: their accepts are gone, and a change event is pushed. */
  public long rejectInSettings(String appId, String openId, List<String> templateIds, int deliveries) {
    SimUser user = user(appId, openId);
    List<Map<String, String>> items = new ArrayList<>();
    for (String t : templateIds) {
      user.revoke(t);
      items.add(Map.of("TemplateId", t, "SubscribeStatusString", "reject"));
    }
    return messagePush.push(appId, openId, "subscribe_msg_change_event", "SubscribeMsgChangeEvent", items, deliveries);
  }

  /** WeChat's own delivery of a message it had accepted failed later (e.g. the user blocked the app): a sent event says so. */
  public long failDelivered(String appId, String openId, long msgid, int errorCode, int deliveries) {
    SimUser user = user(appId, openId);
    InboxEntry m = user.message(msgid).orElseThrow(() -> new IllegalArgumentException("no message " + msgid + " was delivered to " + openId));
    Map<String, String> item = Map.of("TemplateId", m.templateId(), "MsgID", Long.toString(msgid), "ErrorCode", Integer.toString(errorCode),
        "ErrorStatus", "fail");
    return messagePush.push(appId, openId, "subscribe_msg_sent_event", "SubscribeMsgSentEvent", List.of(item), deliveries);
  }

  /** Message-push deliveries: {attempts, accepted, abandoned}. */
  public Map<String, Long> messagePushStats() {
    return messagePush.stats();
  }

  /** What {@code openId} received, oldest first. */
  public List<SimMessage> inbox(String appId, String openId) {
    SimUser user = users.find(appId, openId);
    if (user == null) return List.of();
    String generation = users.generation();
    return user.inbox().stream().map(e -> new SimMessage(appId, openId, e.templateId(), e.subscribe() ? "subscribe" : "template",
        e.page(), e.data(), e.credentialSlot() < 0 ? null : CredentialCodec.format(config.idFormat(), e.prepay(), generation, user.id, e.credentialSlot()),
        Instant.ofEpochMilli(e.atMillis()), e.msgid())).toList();
  }

  public long deliveredCount() {
    return stats.delivered();
  }

  /** errcode answered by the send endpoints → how often (0 included; injected HTTP 5xx are not errcodes). */
  public Map<Integer, Long> errcodeCounts() {
    return stats.errcodes();
  }

  /**
   * Delivered sends whose answer never reached the client as sent: held back past its time-out,
   * replaced by a 502, or cut off by a reset. wxpush may count each as {@code unknown}; no more.
   */
  public long answersLostCount() {
    return stats.answersLost();
  }

  /** Injected HTTP 5xx answers by status (500/503 before processing, 502 after delivery). */
  public Map<Integer, Long> httpFaultCounts() {
    return stats.httpFaults();
  }

  /** Tokens issued by both token endpoints (a stable_token call that returns the current token issues none). */
  public long tokenIssuedCount() {
    return tokens.issuedCount();
  }

  /** Calls to both token endpoints. */
  public long tokenCallCount() {
    return stats.tokenCalls();
  }

  /** Users with at least one message, over all apps; O(users). */
  public long usersWithMessages() {
    long n = 0;
    for (String appId : config.apps().keySet()) {
      for (SimUser user : users.users(appId)) if (user.inboxSize() > 0) n++;
    }
    return n;
  }

  /**
   * The requests received on the WeChat API and still kept (the newest {@link SimConfig#requestLogCapacity}),
   * oldest first; taking them ({@link #takeRequest}) does not remove them from here.
   */
  public List<RecordedRequest> requests() {
    return requests.snapshot();
  }

  /**
   * The next received request not taken yet, in arrival order, waiting up to {@code timeout} for
   * it (MockWebServer's {@code takeRequest}); empty on time-out. Blocks the caller.
   */
  public Optional<RecordedRequest> takeRequest(Duration timeout) {
    try {
      return requests.take(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** {@link #takeRequest(Duration)} waiting up to 10 s; throws {@link IllegalStateException} when none arrives. */
  public RecordedRequest takeRequest() {
    return takeRequest(TAKE_TIMEOUT).orElseThrow(() -> new IllegalStateException("no request arrived within " + TAKE_TIMEOUT.toSeconds() + " s"));
  }

  /** Requests received on the WeChat API since start or the last {@link #clearRequests}/{@link #reset}, dropped ones included. */
  public long requestCount() {
    return requests.received();
  }

  /** Forgets every recorded request: nothing is left to take, and the sequence starts again at 1. */
  public void clearRequests() {
    requests.clear();
  }

  /** {received, kept, dropped, capacity} of the request log. */
  public Map<String, Long> requestLogStats() {
    return Map.of("received", requests.received(), "kept", (long) requests.kept(), "dropped", requests.dropped(),
        "capacity", (long) requests.capacity());
  }

  public SimFaults faults() {
    return faults;
  }

  /** Every current token of {@code appId} answers 40001 from now on; the next fetch issues a new one. */
  public void invalidateTokens(String appId) {
    requireApp(appId);
    tokens.invalidate(appId);
  }

  /** Sets how far the sim's clock runs ahead of the wall clock (not cumulative). */
  public void clockOffset(Duration offset) {
    clock.offset(Objects.requireNonNull(offset, "offset"));
  }

  public Duration clockOffset() {
    return clock.offset();
  }

  /** Returns to the state right after start: no users, credentials, messages, recorded requests, counters or tokens; the configured templates and faults only; clock offset zero. */
  public void reset() {
    messagePush.clear();
    requests.clear();
    users.clear();
    loginCodes.clear();
    tokens.clear();
    stats.clear();
    interner.clear();
    templates.clear();
    clock.offset(Duration.ZERO);
    applyConfig();
  }

  @Override
  public void close() {
    http.stop();
    registry.close();
  }

  private void applyConfig() {
    config.templates().forEach(templates::register);
    faults.clear()
        .latency(config.latency(), config.latencyJitter())
        .systemErrorRate(config.systemErrorRate())
        .http500Rate(config.http500Rate())
        .http503Rate(config.http503Rate())
        .hangBeforeRate(config.hangBeforeRate(), config.hangFor())
        .hangAfterDeliveryRate(config.hangAfterDeliveryRate(), config.hangFor())
        .gatewayErrorAfterDeliveryRate(config.gatewayErrorAfterDeliveryRate())
        .resetAfterDeliveryRate(config.resetAfterDeliveryRate());
    config.dailyQuotas().forEach(faults::dailyQuota);
    config.rateLimits().forEach(faults::rateLimit);
  }

  private List<String> mint(SimUser user, boolean prepay, int count) {
    int first = user.mint(prepay, count, clock.nowMillis());
    String generation = users.generation();
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) out.add(CredentialCodec.format(config.idFormat(), prepay, generation, user.id, first + i));
    return out;
  }

  private SimUser user(String appId, String openId) {
    requireApp(appId);
    if (openId == null || openId.isEmpty() || openId.length() > 128) throw new IllegalArgumentException("openId must be 1-128 characters");
    return users.getOrCreate(appId, openId);
  }

  private void requireApp(String appId) {
    if (appId == null || !config.apps().containsKey(appId)) throw new IllegalArgumentException("unknown app: " + appId);
  }

  private static int count(int count) {
    if (count < 1 || count > MAX_MINT) throw new IllegalArgumentException("count must be 1-" + MAX_MINT + ": " + count);
    return count;
  }
}

import io.wxpush.credentials.Credential;
import io.wxpush.credentials.CredentialKind;
import io.wxpush.credentials.CredentialPool;
import io.wxpush.redis.RedisConnections;
import io.wxpush.redis.RedisEndpoint;
import io.wxpush.redis.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.UnifiedJedis;

/**
 * The fixtures of bench/peer-wxjava.sh that talk to the sim and to wxpush's pools (compiled by the
 * script against push-worker.jar, like bench/java/BenchTool.java):
 * <pre>
 *   grant SIM APP TEMPLATE USERS PER_USER [REDIS_URL KEY_PREFIX]
 *       each user of the file USERS accepts the subscribe template PER_USER times at the sim
 *       (POST /sim/users/{app}/{openId}/grants); with REDIS_URL the grant ids go into wxpush's pools
 *       too (CredentialPool.addAll), as the users' uploads would put them
 *   count SIM APP USERS
 *       reads every user's inbox at the sim and prints
 *       RESULT inbox users=… zero=… one=… more=… messages=…
 * </pre>
 */
public final class PeerTool {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Pattern GRANT_IDS = Pattern.compile("\"grantIds\"\\s*:\\s*\\[([^]]*)]");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
  private static final Pattern MESSAGE = Pattern.compile("\"openId\"");
  private static final int IN_FLIGHT = 64;

  public static void main(String[] a) throws Exception {
    switch (a[0]) {
      case "grant" -> grant(a[1], a[2], a[3], Path.of(a[4]), Integer.parseInt(a[5]), a.length > 6 ? a[6] : null, a.length > 7 ? a[7] : null);
      case "count" -> count(a[1], a[2], Path.of(a[3]));
      default -> throw new IllegalArgumentException("unknown command " + a[0]);
    }
  }

  static void grant(String sim, String app, String template, Path usersFile, int perUser, String redisUrl, String prefix) throws Exception {
    List<String> users = Files.readAllLines(usersFile);
    List<Credential> grants = Collections.synchronizedList(new ArrayList<>(users.size() * perUser));
    long collectedAt = System.currentTimeMillis() - 60_000;
    long t0 = System.nanoTime();
    forEach(users, openId -> HttpRequest.newBuilder(URI.create(sim + "/sim/users/" + app + "/" + openId + "/grants"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"templateId\":\"" + template + "\",\"count\":" + perUser + "}")).build(),
        (openId, body) -> {
          Matcher m = GRANT_IDS.matcher(body);
          if (!m.find()) throw new IllegalStateException("no grantIds for " + openId + ": " + body);
          Matcher q = QUOTED.matcher(m.group(1));
          while (q.find()) grants.add(Credential.of(app, openId, CredentialKind.SUBSCRIPTION, q.group(1), template, collectedAt));
        });
    if (redisUrl != null) {
      try (UnifiedJedis redis = RedisConnections.open(RedisEndpoint.parse(redisUrl), 4)) {
        CredentialPool pool = new CredentialPool(redis, new RedisKeys(prefix), Clock.systemUTC(), 200);
        for (int i = 0; i < grants.size(); i += 5_000) pool.addAll(grants.subList(i, Math.min(grants.size(), i + 5_000)));
      }
    }
    System.out.printf("granted %d users x %d accepts of %s%s in %.1f s%n", users.size(), perUser, template,
        redisUrl == null ? "" : " (and into wxpush's pools)", (System.nanoTime() - t0) / 1e9);
  }

  static void count(String sim, String app, Path usersFile) throws Exception {
    List<String> users = Files.readAllLines(usersFile);
    AtomicLongArray n = new AtomicLongArray(4); // zero, one, more, messages
    forEach(users, openId -> HttpRequest.newBuilder(URI.create(sim + "/sim/users/" + app + "/" + openId + "/inbox")).GET().build(),
        (openId, body) -> {
          int k = (int) MESSAGE.matcher(body).results().count();
          n.incrementAndGet(Math.min(k, 2));
          n.addAndGet(3, k);
        });
    System.out.printf("RESULT inbox users=%d zero=%d one=%d more=%d messages=%d%n", users.size(), n.get(0), n.get(1), n.get(2), n.get(3));
  }

  interface Request { HttpRequest of(String openId); }
  interface Answer { void take(String openId, String body); }

  /** One request per user, IN_FLIGHT at a time; any answer but 2xx stops the tool. */
  static void forEach(List<String> users, Request request, Answer answer) throws Exception {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<Void>> all = new ArrayList<>(users.size());
    for (String openId : users) {
      slots.acquire();
      all.add(HTTP.sendAsync(request.of(openId), HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(r.statusCode() + " for " + openId + ": " + r.body());
        answer.take(openId, r.body());
      }).whenComplete((r, e) -> slots.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
  }
}

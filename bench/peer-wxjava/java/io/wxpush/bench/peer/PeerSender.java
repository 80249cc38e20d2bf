package io.wxpush.bench.peer;

import cn.binarywang.wx.miniapp.api.WxMaService;
import cn.binarywang.wx.miniapp.api.impl.WxMaServiceImpl;
import cn.binarywang.wx.miniapp.bean.WxMaSubscribeMessage;
import cn.binarywang.wx.miniapp.config.impl.WxMaRedisBetterConfigImpl;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import me.chanjar.weixin.common.error.WxErrorException;
import me.chanjar.weixin.common.error.WxRuntimeException;
import me.chanjar.weixin.common.redis.RedissonWxRedisOps;
import me.chanjar.weixin.common.util.http.apache.DefaultApacheHttpClientBuilder;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Sends one subscribe message to every user of a list the way a Java team writes it on WxJava: a
 * fixed thread pool, one {@code sendSubscribeMsg} per user, the access token in WxJava's own
 * Redis-backed config (WxMaRedisBetterConfigImpl over RedissonWxRedisOps), a retry of a failed call, and no ledger, claim, status or persisted progress.
 *
 * <p>Configured by environment (bench/peer-wxjava.sh sets it): {@code PEER_API_BASE} (where
 * {@code https://api.weixin.qq.com} is, here the wechat-sim), {@code PEER_APP}, {@code PEER_SECRET},
 * {@code PEER_REDIS_HOST}, {@code PEER_REDIS_PORT}, {@code PEER_KEY_PREFIX} (the config's Redis key
 * prefix), {@code PEER_TEMPLATE}, {@code PEER_USERS} (a file, one openId a line), {@code PEER_THREADS}
 * (the pool, and the HTTP connections: the sends in flight), {@code PEER_RETRIES} (further attempts of a
 * call that threw, 1 s apart; WxJava's own retry of errcode −1 comes on top), {@code PEER_WARM_USERS}
 * (optional: a file of other users sent to first, unmeasured, with {@code PEER_WARM_TEMPLATE}, so that the measured pass meets
 * JIT-compiled code).
 *
 * <p>Prints {@code MEASURING} when the measured pass starts, then one line: {@code RESULT peer users=… ok=… failed=… retried=… seconds=… rate=… cpu_s=…},
 * the seconds and the process CPU counted from the first send to the last answer (the JVM's start
 * and the service's set-up left out).
 */
public final class PeerSender {
  private PeerSender() {}

  public static void main(String[] args) throws Exception {
    List<String> users = Files.readAllLines(Path.of(env("PEER_USERS")));
    int threads = Integer.parseInt(env("PEER_THREADS"));
    int retries = Integer.parseInt(System.getenv().getOrDefault("PEER_RETRIES", "2"));
    String template = env("PEER_TEMPLATE");

    // Redisson with its defaults, as WxJava's docs show it (RedissonWxRedisOps: its Jedis ops are deprecated)
    Config redisConfig = new Config();
    redisConfig.useSingleServer().setAddress("redis://" + env("PEER_REDIS_HOST") + ":" + env("PEER_REDIS_PORT"));
    RedissonClient redisson = Redisson.create(redisConfig);
    WxMaRedisBetterConfigImpl config = new WxMaRedisBetterConfigImpl(new RedissonWxRedisOps(redisson), env("PEER_KEY_PREFIX"));
    config.setAppid(env("PEER_APP"));
    config.setSecret(env("PEER_SECRET"));
    config.setApiHostUrl(env("PEER_API_BASE"));
    // WxJava's client allows 10 connections per host by default: sized to the pool, as its docs advise
    DefaultApacheHttpClientBuilder http = DefaultApacheHttpClientBuilder.get();
    http.setMaxConnPerHost(threads);
    http.setMaxTotalConn(threads);
    config.setApacheHttpClientBuilder(http);
    WxMaService wx = new WxMaServiceImpl();
    wx.setWxMaConfig(config);

    String warm = System.getenv("PEER_WARM_USERS");
    if (warm != null && !warm.isBlank()) {
      sendAll(wx, Files.readAllLines(Path.of(warm)), threads, retries, env("PEER_WARM_TEMPLATE"), new AtomicLong[] {new AtomicLong(), new AtomicLong(), new AtomicLong()});
    }
    AtomicLong[] counts = {new AtomicLong(), new AtomicLong(), new AtomicLong()}; // ok, failed, retried
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.println("MEASURING");
    System.out.flush();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    sendAll(wx, users, threads, retries, template, counts);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    System.out.printf("RESULT peer users=%d ok=%d failed=%d retried=%d seconds=%.2f rate=%.1f cpu_s=%.3f%n",
        users.size(), counts[0].get(), counts[1].get(), counts[2].get(), seconds, users.size() / seconds, cpu);
    System.exit(0);
  }

  /** The loop: one task per user on a fixed pool of {@code threads}, waited for to the last. */
  private static void sendAll(WxMaService wx, List<String> users, int threads, int retries, String template,
      AtomicLong[] counts) throws InterruptedException {
    AtomicLong ok = counts[0];
    AtomicLong failed = counts[1];
    AtomicLong retried = counts[2];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (String openId : users) {
      pool.submit(() -> {
        WxMaSubscribeMessage msg = new WxMaSubscribeMessage();
        msg.setToUser(openId);
        msg.setTemplateId(template);
        msg.setPage("pages/index");
        msg.addData(new WxMaSubscribeMessage.MsgData("thing1", "order 42 shipped"));
        msg.addData(new WxMaSubscribeMessage.MsgData("time2", "2024-05-01 12:30"));
        for (int attempt = 0; ; attempt++) {
          try {
            wx.getSubscribeService().sendSubscribeMsg(msg);
            ok.incrementAndGet();
            return;
          } catch (WxErrorException | WxRuntimeException e) {
            // an errcode WeChat answered is final; a call that broke (I/O, HTTP 5xx) is tried again
            if (e instanceof WxErrorException || attempt >= retries) {
              failed.incrementAndGet();
              return;
            }
            retried.incrementAndGet();
            sleep(1000);
          }
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.HOURS);
  }

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) throw new IllegalArgumentException(name + " is required");
    return v;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

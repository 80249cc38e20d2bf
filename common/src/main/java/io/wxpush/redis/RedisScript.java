package io.wxpush.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script kept as a classpath resource next to the class that uses it, run with
 * {@code EVALSHA} and loaded on the first {@code NOSCRIPT} (for example after a Redis restart or
 * on a cluster node that has not seen it). Thread-safe.
 */
public final class RedisScript {
  private final String name;
  private final String source;
  private final String sha1;

  private RedisScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha1 = Sha1.hex(source);
  }

  /** Loads {@code resource} relative to {@code owner}'s package. */
  public static RedisScript load(Class<?> owner, String resource) {
    return new RedisScript(resource, read(owner, resource));
  }

  /**
   * Loads {@code resource} with {@code library} (functions shared by several scripts, e.g. the
   * parsing of one stored format) prepended: Redis runs each script on its own, so this is how
   * scripts share code. Both are resources relative to {@code owner}'s package.
   */
  public static RedisScript load(Class<?> owner, String library, String resource) {
    return new RedisScript(resource, read(owner, library) + "\n" + read(owner, resource));
  }

  /**
   * As {@link #load(Class, String, String)}, with the library relative to {@code libraryOwner}'s
   * package and the script to {@code owner}'s (a library that classes of two modules share).
   */
  public static RedisScript load(Class<?> libraryOwner, String library, Class<?> owner, String resource) {
    return new RedisScript(resource, read(libraryOwner, library) + "\n" + read(owner, resource));
  }

  /**
   * As {@link #load(Class, String, String)}, with {@code generated} source (e.g. a table rendered
   * from Java, so that Java and Lua read one table) before the library, and the library and the
   * script each relative to its own owner's package.
   */
  public static RedisScript load(String generated, Class<?> libraryOwner, String library, Class<?> owner, String resource) {
    return new RedisScript(resource, generated + "\n" + read(libraryOwner, library) + "\n" + read(owner, resource));
  }

  private static String read(Class<?> owner, String resource) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing Lua resource " + resource + " next to " + owner.getName());
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the script; on a cluster every key must share one hash slot. */
  public Object eval(UnifiedJedis redis, List<String> keys, List<String> args) {
    try {
      return redis.evalsha(sha1, keys, args);
    } catch (JedisNoScriptException e) {
      return redis.eval(source, keys, args);
    }
  }

  /**
   * Queues the script on a pipeline. With {@code loadSource} false it is sent by SHA (cheap);
   * when a reply then fails {@link #isNoScript}, queue the batch again with {@code loadSource}
   * true, which sends the source and so loads it.
   */
  public Response<Object> queue(AbstractPipeline pipeline, List<String> keys, List<String> args, boolean loadSource) {
    return loadSource ? pipeline.eval(source, keys, args) : pipeline.evalsha(sha1, keys, args);
  }

  /** True when Redis did not know the script (after a restart, or on a new cluster node). */
  public static boolean isNoScript(RuntimeException e) {
    return e instanceof JedisNoScriptException || (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"));
  }

  public String name() {
    return name;
  }
}

package io.wxpush.redis;

import java.util.function.Supplier;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A store could not reach Redis (or Redis refused the call): nothing was read or written, or it
 * is unknown whether the write happened. The HTTP layer answers it 503 with {@code Retry-After};
 * callers above the stores never see a Redis client's own exceptions.
 */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String what, Throwable cause) {
    super(what + ": Redis is not answering (" + cause.getClass().getSimpleName() + ")", cause);
  }

  /** Runs a store call, turning the Redis client's failure into this exception. */
  public static <T> T around(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (JedisException e) {
      throw new StoreUnavailableException(what, e);
    }
  }
}

package io.wxpush.worker.fanout;

import io.wxpush.user.UserRef;
import io.wxpush.json.Json;
import io.wxpush.client.PushRequest;
import io.wxpush.push.PushRun;
import io.wxpush.push.PushTask;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The task records of one push run: every task of a push is the same JSON but for its openId, so
 * the JSON is written once ({@link Json#write} of a task with a placeholder openId) and each
 * task's bytes are that JSON with the user's openId in the placeholder's place — byte for byte
 * what {@code Json.write(PushTask.of(request, openId, run))} gives, for a fraction of the CPU
 * (databind per task was a seventh of the fan-out's CPU, issue 19). An openId is 1-64 of
 * {@code [A-Za-z0-9_-]} (checked where it enters, and here again), which JSON never escapes.
 * Should the placeholder occur anywhere else in the push (its data, say), or an openId be
 * anything else, the task is written in full.
 */
final class TaskEncoder {
  private final PushRequest request;
  private final PushRun run;
  private final byte[] prefix;
  private final byte[] suffix;

  TaskEncoder(PushRequest request, PushRun run) {
    this.request = request;
    this.run = run;
    String placeholder = "wxpush-openid-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-";
    byte[] json = Json.write(PushTask.of(request, placeholder, run));
    byte[] marker = ("\"" + placeholder + "\"").getBytes(StandardCharsets.UTF_8);
    int at = indexOf(json, marker, 0);
    if (at < 0 || indexOf(json, marker, at + 1) >= 0) {
      prefix = null;
      suffix = null;
    } else {
      prefix = Arrays.copyOfRange(json, 0, at + 1); // up to the opening quote
      suffix = Arrays.copyOfRange(json, at + marker.length - 1, json.length); // from the closing quote
    }
  }

  /** The task record's value for {@code openId}. */
  byte[] encode(String openId) {
    if (prefix == null || !UserRef.isValidId(openId)) return Json.write(PushTask.of(request, openId, run));
    byte[] id = openId.getBytes(StandardCharsets.ISO_8859_1); // ASCII: see the class comment
    byte[] out = new byte[prefix.length + id.length + suffix.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(id, 0, out, prefix.length, id.length);
    System.arraycopy(suffix, 0, out, prefix.length + id.length, suffix.length);
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}

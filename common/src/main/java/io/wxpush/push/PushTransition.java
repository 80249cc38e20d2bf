package io.wxpush.push;

import static io.wxpush.push.PushState.ACCEPTED;
import static io.wxpush.push.PushState.CANCELLED;
import static io.wxpush.push.PushState.DONE;
import static io.wxpush.push.PushState.FAILED;
import static io.wxpush.push.PushState.FANNING_OUT;
import static io.wxpush.push.PushState.SCHEDULED;
import static io.wxpush.push.PushState.SENDING;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every move of a push's life, as one table (BRIEF rule 10): for each transition, the states it may
 * start from ({@link #NONE}: the push has no status yet) and the states it may leave the push in. A
 * transition from a state not in its row is refused and changes nothing. The Lua side reads the same
 * table: {@link #luaTable()} renders it before {@code push-lib.lua}, whose functions are the only
 * writers of a push's {@code state} ({@link PushLifecycle} runs them); RELIABILITY.md "A push's
 * life" is this table in prose.
 */
public enum PushTransition {
  /** A new push: {@code push-accept.lua} (the API) or {@link PushLifecycle#init} (a request published straight to Kafka). */
  ACCEPT,
  /** Its {@code sendAt} is ahead: into the app's schedule ({@link PushLifecycle#schedule}). */
  SCHEDULE,
  /** Its fan-out stamps the run ({@code push-run.lua}); the fan-out has begun. */
  START_RUN,
  /** A page of tasks published ({@code push-page.lua}). */
  PAGE,
  /** The fan-out finished or stopped ({@code push-fanout-done.lua}): sending, or final when every target has its outcome. */
  FANOUT_DONE,
  /** Quiet hours: the push waits until {@code resumesAt} ({@code push-wait.lua}, {@code push-hold.lua}); a moved window too. */
  HOLD,
  /** Quiet hours ended: {@code resumesAt} cleared ({@code push-resume.lua}). */
  RESUME,
  /** {@code DELETE}: the cancel mark; a scheduled push is cancelled at once ({@code push-cancel.lua}). */
  CANCEL,
  /** {@code POST …/retry}: the round's users lose their failed outcome, the push sends again ({@code push-retry-reset.lua}). */
  RETRY_ROUND,
  /** The last outcome of a finished fan-out ({@code push-outcome.lua}): done, or cancelled if it was. */
  FINISH,
  /** The request cannot be processed ({@code push-fail.lua}). */
  FAIL;

  /** The "from" of a transition that starts where the push has no status yet. */
  public static final String NONE = "none";

  private static final Map<PushTransition, Map<String, Set<PushState>>> TABLE = new EnumMap<>(PushTransition.class);

  static {
    row(ACCEPT, NONE, ACCEPTED, SCHEDULED);
    row(SCHEDULE, ACCEPTED, SCHEDULED);
    row(SCHEDULE, SCHEDULED, SCHEDULED);
    row(START_RUN, ACCEPTED, FANNING_OUT);
    row(START_RUN, SCHEDULED, FANNING_OUT);
    row(START_RUN, FANNING_OUT, FANNING_OUT);
    row(START_RUN, SENDING, SENDING);
    for (PushState from : EnumSet.of(ACCEPTED, SCHEDULED, FANNING_OUT, SENDING)) {
      row(PAGE, from, FANNING_OUT);
      row(FANOUT_DONE, from, SENDING, DONE, CANCELLED);
      row(FAIL, from, FAILED);
    }
    row(FAIL, NONE, FAILED);
    row(HOLD, ACCEPTED, SENDING);
    row(HOLD, FANNING_OUT, SENDING);
    row(HOLD, SCHEDULED, SCHEDULED); // its time came inside quiet hours: it still has not begun
    row(HOLD, SENDING, SENDING);
    for (PushState from : EnumSet.of(ACCEPTED, SCHEDULED, FANNING_OUT, SENDING)) row(RESUME, from, from);
    row(CANCEL, SCHEDULED, CANCELLED);
    row(CANCEL, ACCEPTED, ACCEPTED);
    row(CANCEL, FANNING_OUT, FANNING_OUT);
    row(CANCEL, SENDING, SENDING);
    row(RETRY_ROUND, DONE, SENDING); // the one way out of a final state
    row(RETRY_ROUND, FANNING_OUT, FANNING_OUT);
    row(RETRY_ROUND, SENDING, SENDING);
    row(FINISH, FANNING_OUT, DONE, CANCELLED);
    row(FINISH, SENDING, DONE, CANCELLED);
  }

  private static void row(PushTransition t, PushState from, PushState... to) {
    row(t, from.wire(), to);
  }

  private static void row(PushTransition t, String from, PushState... to) {
    TABLE.computeIfAbsent(t, k -> new LinkedHashMap<>()).put(from, Collections.unmodifiableSet(EnumSet.of(to[0], to)));
  }

  /** The transition's name in {@code push-lib.lua}: {@code start_run}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The states it may leave a push in that is {@code from} (a wire name, or {@link #NONE}); empty when it is refused there. */
  public Set<PushState> targets(String from) {
    return TABLE.get(this).getOrDefault(from == null ? NONE : from, Set.of());
  }

  /** True when the transition may start from {@code from} (a wire name, {@link #NONE} or null for no status). */
  public boolean allowedFrom(String from) {
    return !targets(from).isEmpty();
  }

  /** True when the transition may start from {@code from}. */
  public boolean allowedFrom(PushState from) {
    return allowedFrom(from.wire());
  }

  /** The rows of this transition: from (a wire name or {@link #NONE}) → the states it may leave. */
  public Map<String, Set<PushState>> rows() {
    return Collections.unmodifiableMap(TABLE.get(this));
  }

  /** The single target of the transition from {@code from}, when there is exactly one. */
  public Optional<PushState> only(String from) {
    Set<PushState> t = targets(from);
    return t.size() == 1 ? Optional.of(t.iterator().next()) : Optional.empty();
  }

  /**
   * The table as Lua source, prepended to {@code push-lib.lua}: {@code PUSH_FINAL[state]} is true
   * for a final state; {@code PUSH_MOVES[transition][from][to]} is true for each allowed move.
   */
  public static String luaTable() {
    StringBuilder lua = new StringBuilder("-- Rendered by io.wxpush.push.PushTransition#luaTable: the table of a push's life, read by push-lib.lua.\n");
    lua.append("local PUSH_FINAL = {");
    for (PushState s : PushState.values()) if (s.isFinal()) lua.append(s.wire()).append(" = true, ");
    lua.append("}\nlocal PUSH_MOVES = {\n");
    for (PushTransition t : values()) {
      lua.append("  ").append(t.wire()).append(" = {");
      TABLE.get(t).forEach((from, to) -> {
        lua.append(from).append(" = {");
        for (PushState s : to) lua.append(s.wire()).append(" = true, ");
        lua.append("}, ");
      });
      lua.append("},\n");
    }
    return lua.append("}\n").toString();
  }
}

#!/usr/bin/env bash
# Sink benchmark (BENCHMARKS.md §2): credentials/s from a pre-filled wxpush.credentials topic into the
# Redis pools by one push-worker with WORKER_ROLES=credentials, side by side with redis-benchmark's
# pipelined ZADD (pipeline 500, 4 connections) on the same Redis. Each run gets a fresh topic,
# consumer group and key prefix. Timed from the last look (every 0.1 s) that found nothing stored
# to the last credential stored (the group join is not counted), read from the worker's wxpush_credentials_stored_total. Also reports the
# worker's CPU time per 1,000 credentials. Median of RUNS.
#
#   bench/sink.sh [users=100000] [per_user=3]      QUICK=1 bench/sink.sh  (~1 min)
#   env: RUNS (3), WORKER_JAR (default push-worker/target/push-worker.jar), BASELINE_JAR (another
#        push-worker jar, e.g. main's: run on its own fresh topic in every run too, before or
#        after this one alternately, for a before/after ratio taken in one run), WORKER_ENV
#        (extra VAR=value settings for the measured worker only, e.g. "SINK_BATCH=2000"), WARM (1:
#        the topic holds twice the users and the clock starts when the first half is stored, so
#        the figure is a warm JVM's; 0: cold, the clock starts at the first credential stored),
#        SINK_MARK (a file that gets the UTC time the warm clock started: bench/profile.sh sink)
source "$(dirname "$0")/lib.sh"
USERS=${1:-100000}; PER_USER=${2:-3}; RUNS=${RUNS:-3}
[ -n "${QUICK:-}" ] && USERS=15000
TOTAL=$((USERS * PER_USER))
WARM=${WARM:-1}
FILL=$((TOTAL * (WARM == 1 ? 2 : 1))) # records in the topic; the measured ones are the last TOTAL stored
WORKER_JAR=${WORKER_JAR:-push-worker/target/push-worker.jar}
ensure_tool; ensure_kafka_tools
REDIS_PID=$(cat "${WXPUSH_STATE_DIR:-$ROOT/.wxpush/services}/redis/redis.pid" 2>/dev/null || echo self)
VARIANTS=(new); [ -n "${BASELINE_JAR:-}" ] && VARIANTS=(base new)

# measure VARIANT RUN: appends "credentials/s cpu_ms_per_1k" to $WORK/VARIANT.tsv
measure() {
  local jar=$WORKER_JAR extra=(${WORKER_ENV:-}); [ "$1" = base ] && { jar=$BASELINE_JAR; extra=(); }
  new_prefixes "sink$2$1"
  TOPIC=${TOPIC_PREFIX}credentials
  kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA" --create --topic "$TOPIC" --partitions 12 >/dev/null 2>&1
  tool produce "$KAFKA" "$TOPIC" "$APP" "$((USERS * (WARM == 1 ? 2 : 1)))" "$PER_USER" >"$WORK/produce.log" 2>&1 \
    || { say "could not fill $TOPIC (a broker still loading its logs after a restart answers UNKNOWN_TOPIC_OR_PARTITION):"; grep -v '^\s*at ' "$WORK/produce.log" | tail -3 >&2; exit 1; }
  PORT=$(free_port)
  start "sink$2$1" "$jar" HTTP_PORT="$PORT" WORKER_ROLES=credentials "${extra[@]}"
  WORKER=$LAST_PID
  wait_http "http://127.0.0.1:$PORT/health" 60
  stored() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^wxpush_credentials_stored_total/ {printf "%d", $2}'; }
  t0=$(date +%s.%N); n0=0; n=0; c0=$(cpu_s "$WORKER"); r0=$(cpu_s "$REDIS_PID") # /health answered: at worst the join is counted
  local start_at=$((FILL - TOTAL)) started=0
  deadline=$((SECONDS + 600))
  while [ "$SECONDS" -lt "$deadline" ]; do
    n=$(stored); n=${n:-0}
    now=$(date +%s.%N)
    # cold: the clock starts at the last look that found nothing stored yet (the group join is
    # behind it; a fast sink may store a whole small topic between two looks); warm: at the first
    # look that found the warm-up half stored
    if [ "$WARM" = 1 ]; then
      [ "$started" = 0 ] && [ "$n" -ge "$start_at" ] && { t0=$now; n0=$n; c0=$(cpu_s "$WORKER"); r0=$(cpu_s "$REDIS_PID"); started=1
        [ -n "${SINK_MARK:-}" ] && date -u +%Y-%m-%dT%H:%M:%S.%NZ >"$SINK_MARK"; }
    else
      [ "$n" -eq 0 ] && { t0=$now; n0=0; c0=$(cpu_s "$WORKER"); r0=$(cpu_s "$REDIS_PID"); }
    fi
    [ "$n" -ge "$FILL" ] && break
    sleep 0.1
  done
  [ "$n" -ge "$FILL" ] || { say "sink ($1) stored only $n of $FILL"; exit 1; }
  c1=$(cpu_s "$WORKER"); r1=$(cpu_s "$REDIS_PID")
  sink=$(python3 -c "print(($n - $n0) / ($now - $t0))")
  cpu=$(python3 -c "print(f'{($c1 - $c0) * 1e6 / max(1, $n - $n0):.0f}')")
  rcpu=$(python3 -c "print(f'{($r1 - $r0) * 1e6 / max(1, $n - $n0):.0f}')")
  stop_process "$WORKER"
  redis_clean "$KEY_PREFIX"
  echo "$sink $cpu" >>"$WORK/$1.tsv"
  printf '  %-4s sink %.0f credentials/s (%d measured), worker CPU %s ms, Redis CPU %s ms per 1k credentials\n' "$1" "$sink" "$((n - n0))" "$cpu" "$rcpu"
}

: >"$WORK/new.tsv"; : >"$WORK/base.tsv"; : >"$WORK/zadd.tsv"
for run in $(seq "$RUNS"); do
  echo "run $run:"
  for v in $(run_order "$run"); do measure "$v" "$run"; done
  zadd=$(redis-benchmark -h "$REDIS_HOST" -p "$REDIS_PORT" -n $((TOTAL * 2)) -P 500 -c 4 -r 1000000 -q \
    ZADD "${KEY_PREFIX}rb:__rand_int__" __rand_int__ "m:__rand_int__" | tr '\r' '\n' | awk '/requests per second/ {for (i=1;i<=NF;i++) if ($(i+1)=="requests") print $i}' | tail -1)
  redis_clean "$KEY_PREFIX"
  echo "$zadd" >>"$WORK/zadd.tsv"
  sink=$(tail -1 "$WORK/new.tsv" | cut -d' ' -f1)
  printf '  redis-benchmark ZADD -P500 %.0f ops/s | ratio %s\n' "$zadd" "$(ratio "$sink" "$zadd")"
done
zadd=$(median <"$WORK/zadd.tsv")
result() { # variant label
  local sink cpu r
  sink=$(cut -d' ' -f1 "$WORK/$1.tsv" | median); cpu=$(cut -d' ' -f2 "$WORK/$1.tsv" | median)
  r=$(paste -d' ' "$WORK/$1.tsv" "$WORK/zadd.tsv" | awk '{printf "%.4f\n", $1/$3}' | median)
  printf 'RESULT %s credentials/s=%.0f worker_cpu_ms_per_1k=%.0f | redis-benchmark ZADD(P500)/s=%.0f | ratio=%.3f  (median of %d runs, %d credentials each)\n' \
    "$2" "$sink" "$cpu" "$zadd" "$r" "$RUNS" "$TOTAL"
}
result new sink
if [ -n "${BASELINE_JAR:-}" ]; then
  result base "sink-baseline($BASELINE_JAR)"
  printf 'RESULT sink new÷baseline credentials/s=%s cpu_per_credential=%s (medians of per-run ratios)\n' \
    "$(per_run_ratio 1)" \
    "$(per_run_ratio 2)"
fi

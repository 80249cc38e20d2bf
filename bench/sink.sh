#!/usr/bin/env bash
# Sink benchmark (issue 8 §2): credentials/s from a pre-filled wxpush.credentials topic into the
# Redis pools by one push-worker with WORKER_ROLES=credentials, side by side with redis-benchmark's
# pipelined ZADD (pipeline 500, 4 connections) on the same Redis. Each run gets a fresh topic,
# consumer group and key prefix. Timed from the first credential stored to the last (the group
# join is not counted), read from the worker's wxpush_credentials_stored_total. Median of RUNS.
#
#   bench/sink.sh [users=100000] [per_user=3]      QUICK=1 bench/sink.sh  (~1 min)
source "$(dirname "$0")/lib.sh"
USERS=${1:-100000}; PER_USER=${2:-3}; RUNS=${RUNS:-3}
[ -n "${QUICK:-}" ] && USERS=15000
TOTAL=$((USERS * PER_USER))
ensure_tool; ensure_kafka_tools

: >"$WORK/sink.tsv"
for run in $(seq "$RUNS"); do
  new_prefixes "sink$run"
  TOPIC=${TOPIC_PREFIX}credentials
  kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA" --create --topic "$TOPIC" --partitions 12 >/dev/null 2>&1
  tool produce "$KAFKA" "$TOPIC" "$APP" "$USERS" "$PER_USER" >&2
  PORT=$(free_port)
  start "sink$run" push-worker/target/push-worker.jar HTTP_PORT="$PORT" WORKER_ROLES=credentials
  WORKER=$LAST_PID
  wait_http "http://127.0.0.1:$PORT/health" 60
  stored() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^wxpush_credentials_stored_total/ {printf "%d", $2}'; }
  t0=""; n=0
  deadline=$((SECONDS + 600))
  while [ "$SECONDS" -lt "$deadline" ]; do
    n=$(stored); n=${n:-0}
    now=$(date +%s.%N)
    [ -z "$t0" ] && [ "$n" -gt 0 ] && { t0=$now; n0=$n; }
    [ "$n" -ge "$TOTAL" ] && break
    sleep 0.1
  done
  [ "$n" -ge "$TOTAL" ] || { say "sink stored only $n of $TOTAL"; exit 1; }
  sink=$(python3 -c "print(($n - $n0) / ($now - $t0))")
  stop "$WORKER"
  zadd=$(redis-benchmark -h "$REDIS_HOST" -p "$REDIS_PORT" -n $((TOTAL * 2)) -P 500 -c 4 -r 1000000 -q \
    ZADD "${KEY_PREFIX}rb:__rand_int__" __rand_int__ "m:__rand_int__" | tr '\r' '\n' | awk '/requests per second/ {for (i=1;i<=NF;i++) if ($(i+1)=="requests") print $i}' | tail -1)
  echo "$sink $zadd" >>"$WORK/sink.tsv"
  printf 'run %d: sink %.0f credentials/s (%d stored) | redis-benchmark ZADD -P500 %.0f ops/s | ratio %s\n' "$run" "$sink" "$n" "$zadd" "$(ratio "$sink" "$zadd")"
  redis_clean "$KEY_PREFIX"
done
sink=$(cut -d' ' -f1 "$WORK/sink.tsv" | median); zadd=$(cut -d' ' -f2 "$WORK/sink.tsv" | median)
r=$(awk '{printf "%.4f\n", $1/$2}' "$WORK/sink.tsv" | median)
printf 'RESULT sink credentials/s=%.0f | redis-benchmark ZADD(P500)/s=%.0f | ratio=%.3f  (median of %d runs, %d credentials each)\n' "$sink" "$zadd" "$r" "$RUNS" "$TOTAL"

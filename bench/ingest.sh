#!/usr/bin/env bash
# Ingest benchmark (BENCHMARKS.md §1): credential uploads/s through ingest-api into Kafka (3 form_ids per
# upload, wrk with many connections and many users), p50/p99 latency, side by side with Kafka's
# own producer performance tool writing the same records (same JSON, same topic, and the API
# producer's settings: acks=all, idempotent, no compression, linger 5 ms, 64 KiB batches) to the
# same broker. Median of RUNS runs.
# Also reports the API process's CPU time per 1,000 uploads, which a busy machine disturbs much
# less than the rates do.
#
#   bench/ingest.sh [duration=20s] [connections=256]      QUICK=1 bench/ingest.sh  (~1 min)
#   env: RUNS (3), USERS (20000 session tokens), PERF_RECORDS (records per perf-test run),
#        INGEST_JAR (the ingest-api jar to measure, default ingest-api/target/ingest-api.jar),
#        BASELINE_JAR (another ingest-api jar, e.g. main's: measured in every run too, right
#        before or after this one alternately, for a before/after ratio taken in one run)
source "$(dirname "$0")/lib.sh"
DURATION=${1:-20s}; CONNECTIONS=${2:-256}
RUNS=${RUNS:-3}; USERS=${USERS:-20000}; PERF_RECORDS=${PERF_RECORDS:-2000000}; WARMUP=${WARMUP:-15s}
if [ -n "${QUICK:-}" ]; then DURATION=5s; USERS=2000; PERF_RECORDS=300000; WARMUP=3s; fi
ensure_tool; ensure_kafka_tools
new_prefixes ingest

tool tokens "$SIGNING_KEY" "$APP" "$USERS" "$WORK/tokens.txt"
tool records "$APP" 10000 "$WORK/records.txt"
RECORD_BYTES=$(head -1 "$WORK/records.txt" | tr -d '\n' | wc -c)

start_api() { # name jar: sets API_URL and API_PID
  local port; port=$(free_port)
  start "$1" "$2" HTTP_PORT="$port" SESSION_SIGNING_KEY="$SIGNING_KEY" \
    PUSH_API_KEYS="$API_KEY" UPLOADS_PER_USER_PER_MINUTE=1000000 WECHAT_API_BASE=http://127.0.0.1:9
  API_PID=$LAST_PID; API_URL=http://127.0.0.1:$port
  wait_http "$API_URL/health" 60
}
start_api ingest "${INGEST_JAR:-ingest-api/target/ingest-api.jar}"
API=$API_URL; API_PID_NEW=$API_PID
VARIANTS=(new)
if [ -n "${BASELINE_JAR:-}" ]; then
  start_api baseline "$BASELINE_JAR"
  BASE=$API_URL; API_PID_BASE=$API_PID
  VARIANTS=(base new)
fi
TOPIC=${TOPIC_PREFIX}credentials
say "ingest-api on $API${BASE:+, baseline on $BASE}, topic $TOPIC, $USERS users, records of $RECORD_BYTES bytes"

run_wrk() { # url duration out
  TOKENS_FILE="$WORK/tokens.txt" wrk -t2 -c"$CONNECTIONS" -d"$2" --latency -s "$BENCH/upload.lua" "$1" -- 2 >"$3"
}
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }

# measure VARIANT RUN: one wrk run against that API; appends "rps p50 p99 cpu_ms_per_1k" to $WORK/VARIANT.tsv
measure() {
  local url pid c0 c1 out=$WORK/wrk.$1.$2.txt
  if [ "$1" = base ]; then url=$BASE; pid=$API_PID_BASE; else url=$API; pid=$API_PID_NEW; fi
  c0=$(cpu_s "$pid")
  run_wrk "$url" "$DURATION" "$out"
  c1=$(cpu_s "$pid")
  local rps p50 p99 ok cpu
  rps=$(awk '/Requests\/sec/ {print $2}' "$out")
  p50=$(awk '$1=="50%" {print $2}' "$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' "$out" | to_ms)
  ok=$(awk '/uploads answered 202/ {gsub(",", "", $4); print $4}' "$out")
  cpu=$(python3 -c "print(f'{($c1 - $c0) * 1e6 / max(1, $ok):.0f}')") # CPU ms per 1,000 uploads answered 202
  echo "$rps $p50 $p99 $cpu" >>"$WORK/$1.tsv"
  printf '  %-4s %.0f uploads/s (%.0f credentials/s) p50 %.1f ms p99 %.1f ms, API CPU %s ms per 1k uploads [%s]\n' \
    "$1" "$rps" "$(echo "$rps*3" | bc)" "$p50" "$p99" "$cpu" "$(grep 'uploads answered' "$out")"
}

for v in "${VARIANTS[@]}"; do
  url=$API; [ "$v" = base ] && url=$BASE
  run_wrk "$url" "$WARMUP" "$WORK/warm.$v.txt"
done
kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" --num-records 50000 --throughput -1 \
  --payload-file "$WORK/records.txt" --producer-props bootstrap.servers="$KAFKA" acks=all >/dev/null 2>&1

: >"$WORK/new.tsv"; : >"$WORK/base.tsv"; : >"$WORK/perf.tsv"
for run in $(seq "$RUNS"); do
  echo "run $run:"
  for v in $(run_order "$run"); do measure "$v" "$run"; done
  kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" --num-records "$PERF_RECORDS" --throughput -1 \
    --payload-file "$WORK/records.txt" --producer-props bootstrap.servers="$KAFKA" acks=all enable.idempotence=true \
    compression.type=none linger.ms=5 batch.size=65536 2>/dev/null | tail -1 >"$WORK/perf.$run.txt"
  perf=$(sed -E 's/.*sent, ([0-9.]+) records\/sec.*/\1/' "$WORK/perf.$run.txt")
  perf99=$(sed -E 's/.* ([0-9.]+) ms 99th.*/\1/' "$WORK/perf.$run.txt")
  echo "$perf $perf99" >>"$WORK/perf.tsv"
  rps=$(tail -1 "$WORK/new.tsv" | cut -d' ' -f1)
  printf '  perf-test %.0f records/s p99 %s ms | ratio (api credentials/s ÷ perf records/s) %s\n' "$perf" "$perf99" "$(ratio "$rps*3" "$perf")"
done

perf=$(cut -d' ' -f1 "$WORK/perf.tsv" | median)
result() { # variant label
  local api p50 p99 cpu r
  api=$(cut -d' ' -f1 "$WORK/$1.tsv" | median); p50=$(cut -d' ' -f2 "$WORK/$1.tsv" | median)
  p99=$(cut -d' ' -f3 "$WORK/$1.tsv" | median); cpu=$(cut -d' ' -f4 "$WORK/$1.tsv" | median)
  r=$(paste -d' ' "$WORK/$1.tsv" "$WORK/perf.tsv" | awk '{printf "%.4f\n", $1*3/$5}' | median)
  printf 'RESULT %s uploads/s=%.0f credentials/s=%.0f p50_ms=%.1f p99_ms=%.1f api_cpu_ms_per_1k_uploads=%.0f | kafka-perf records/s=%.0f | ratio(credentials/s ÷ perf records/s)=%.3f  (median of %d runs, %s each, -c%s, record %d B)\n' \
    "$2" "$api" "$(echo "$api*3" | bc)" "$p50" "$p99" "$cpu" "$perf" "$r" "$RUNS" "$DURATION" "$CONNECTIONS" "$RECORD_BYTES"
}
result new ingest
if [ -n "${BASELINE_JAR:-}" ]; then
  result base "ingest-baseline($BASELINE_JAR)"
  printf 'RESULT ingest new÷baseline uploads/s=%s (median of per-run ratios) cpu_per_upload=%s\n' \
    "$(per_run_ratio 1)" \
    "$(per_run_ratio 4)"
fi

#!/usr/bin/env bash
# Ingest benchmark (issue 8 §1): credential uploads/s through ingest-api into Kafka (3 form_ids per
# upload, wrk with many connections and many users), p50/p99 latency, side by side with Kafka's
# own producer performance tool writing the same records (same JSON, same topic, acks=all,
# idempotent, lz4, linger 5 ms, 64 KiB batches) to the same broker. Median of RUNS runs.
#
#   bench/ingest.sh [duration=20s] [connections=256]      QUICK=1 bench/ingest.sh  (~1 min)
#   env: RUNS (3), USERS (20000 session tokens), PERF_RECORDS (records per perf-test run)
source "$(dirname "$0")/lib.sh"
DURATION=${1:-20s}; CONNECTIONS=${2:-256}
RUNS=${RUNS:-3}; USERS=${USERS:-20000}; PERF_RECORDS=${PERF_RECORDS:-2000000}; WARMUP=${WARMUP:-15s}
if [ -n "${QUICK:-}" ]; then DURATION=5s; USERS=2000; PERF_RECORDS=300000; WARMUP=3s; fi
ensure_tool; ensure_kafka_tools
new_prefixes ingest

tool tokens "$SIGNING_KEY" "$APP" "$USERS" "$WORK/tokens.txt"
tool records "$APP" 10000 "$WORK/records.txt"
RECORD_BYTES=$(head -1 "$WORK/records.txt" | tr -d '\n' | wc -c)

PORT=$(free_port)
start ingest ingest-api/target/ingest-api.jar HTTP_PORT="$PORT" SESSION_SIGNING_KEY="$SIGNING_KEY" \
  PUSH_API_KEYS="$API_KEY" UPLOADS_PER_USER_PER_MINUTE=1000000 WECHAT_API_BASE=http://127.0.0.1:9
API=http://127.0.0.1:$PORT
wait_http "$API/health" 60
TOPIC=${TOPIC_PREFIX}credentials
say "ingest-api on $API, topic $TOPIC, $USERS users, records of $RECORD_BYTES bytes"

run_wrk() { # duration out
  TOKENS_FILE="$WORK/tokens.txt" wrk -t2 -c"$CONNECTIONS" -d"$1" --latency -s "$BENCH/upload.lua" "$API" -- 2 >"$2"
}
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }

run_wrk "$WARMUP" "$WORK/warm.txt"
kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" --num-records 50000 --throughput -1 \
  --payload-file "$WORK/records.txt" --producer-props bootstrap.servers="$KAFKA" acks=all >/dev/null 2>&1

: >"$WORK/api.tsv"; : >"$WORK/perf.tsv"
for run in $(seq "$RUNS"); do
  run_wrk "$DURATION" "$WORK/wrk.$run.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.$run.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.$run.txt" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.$run.txt" | to_ms)
  answers=$(grep 'uploads answered' "$WORK/wrk.$run.txt")
  echo "$rps $p50 $p99" >>"$WORK/api.tsv"
  kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" --num-records "$PERF_RECORDS" --throughput -1 \
    --payload-file "$WORK/records.txt" --producer-props bootstrap.servers="$KAFKA" acks=all enable.idempotence=true \
    compression.type=lz4 linger.ms=5 batch.size=65536 2>/dev/null | tail -1 >"$WORK/perf.$run.txt"
  perf=$(sed -E 's/.*sent, ([0-9.]+) records\/sec.*/\1/' "$WORK/perf.$run.txt")
  perf99=$(sed -E 's/.* ([0-9.]+) ms 99th.*/\1/' "$WORK/perf.$run.txt")
  echo "$perf $perf99" >>"$WORK/perf.tsv"
  printf 'run %d: api %.0f uploads/s (%.0f credentials/s) p50 %.1f ms p99 %.1f ms [%s] | perf-test %.0f records/s p99 %s ms | ratio %s\n' \
    "$run" "$rps" "$(echo "$rps*3" | bc)" "$p50" "$p99" "$answers" "$perf" "$perf99" "$(ratio "$rps*3" "$perf")"
done

api=$(cut -d' ' -f1 "$WORK/api.tsv" | median); p50=$(cut -d' ' -f2 "$WORK/api.tsv" | median); p99=$(cut -d' ' -f3 "$WORK/api.tsv" | median)
perf=$(cut -d' ' -f1 "$WORK/perf.tsv" | median)
ratios=$(paste -d' ' "$WORK/api.tsv" "$WORK/perf.tsv" | awk '{printf "%.4f\n", $1*3/$4}' | median)
printf 'RESULT ingest uploads/s=%.0f credentials/s=%.0f p50_ms=%.1f p99_ms=%.1f | kafka-perf records/s=%.0f | ratio(credentials/s ÷ perf records/s)=%.3f  (median of %d runs, %s each, -c%s, record %d B)\n' \
  "$api" "$(echo "$api*3" | bc)" "$p50" "$p99" "$perf" "$ratios" "$RUNS" "$DURATION" "$CONNECTIONS" "$RECORD_BYTES"

#!/usr/bin/env bash
# Redis bytes per sent subscribe message kept for late failures (BENCHMARKS.md §8: the msgid → requestId
# map, LEDGER_GRACE long), for short and UUID-long requestIds, at 100k and 1M messages an hour.
#   bench/msgid-memory.sh            (needs Redis up: scripts/services.sh start; ~2 min)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/java.sh
[ -f push-worker/target/push-worker.jar ] || ./mvnw -q -B package -DskipTests
URL=${REDIS_URL:-redis://127.0.0.1:6379}
for n in 100000 1000000; do
  for len in 8 36; do
    java -cp push-worker/target/push-worker.jar bench/java/MsgIdMemory.java "$URL" "$n" "$len" 2>/dev/null | grep RESULT
  done
done

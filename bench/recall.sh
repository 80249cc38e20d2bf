#!/usr/bin/env bash
# The recall audience's fan-out read (BENCHMARKS.md §9): USERS users in one app's index, RECALL of them
# expiring within a day; the recall (expiringWithin "1d") read page by page beside a broadcast's
# read of the whole index, in one run: time, CPU of the reading thread, Redis commands.
#   bench/recall.sh [USERS=1000000] [RECALL=10000]   (needs Redis up: scripts/services.sh start; ~3 min)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/java.sh
[ -f push-worker/target/push-worker.jar ] || ./mvnw -q -B package -DskipTests
URL=${REDIS_URL:-redis://127.0.0.1:6379}
java -Xmx2g -cp push-worker/target/push-worker.jar bench/java/RecallFanout.java "$URL" "${1:-1000000}" "${2:-10000}" 2>/dev/null \
  | grep -E "seeded|RESULT"

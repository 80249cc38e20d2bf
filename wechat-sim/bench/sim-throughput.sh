#!/usr/bin/env bash
# Measures the sim's send throughput with wrk, side by side with its trivial GET /health in the
# same run (same JVM, same machine, same wrk settings), so the figure is also a ratio.
#
#   wechat-sim/bench/sim-throughput.sh [duration=10s] [connections=64] [wrk threads=2]
#
# Needs: wrk, curl, a JDK 21+ (JAVA_HOME or java on PATH), and the jar:
#   ./mvnw -q -pl wechat-sim -am package -DskipTests
# Optional: SIM_BENCH_JAR (another jar, e.g. a copy of the previous build for a before/after run),
# SIM_BENCH_JAVA_OPTS (JVM flags), SIM_BENCH_JFR (a .jfr file: records a JFR profile of the
# measured send run only), SIM_BENCH_PORT, SIM_BENCH_USERS, SIM_BENCH_PER_USER.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10s}
CONNECTIONS=${2:-64}
THREADS=${3:-2}
PORT=${SIM_BENCH_PORT:-18090}
USERS=${SIM_BENCH_USERS:-100000}
PER_USER=${SIM_BENCH_PER_USER:-5}
# shellcheck source=../../scripts/lib/java.sh
source "$(dirname "$0")/../../scripts/lib/java.sh"   # a JDK >= 21 (JAVA_HOME when new enough)
JAVA=$JAVA_HOME/bin/java
JAR=${SIM_BENCH_JAR:-wechat-sim/target/wechat-sim.jar}
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d)
trap 'kill $SIM_PID 2>/dev/null || true; wait $SIM_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

HTTP_PORT=$PORT WECHAT_APPS=wxbench:benchsecret WXPUSH_LOG_LEVEL=WARN \
  SIM_TEMPLATES='wxbench:TPL_BENCH:template:keyword1|keyword2:pages/index' \
  "$JAVA" ${SIM_BENCH_JAVA_OPTS:-} -jar "$JAR" >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.1; done

echo "minting $((USERS * PER_USER)) form_ids for $USERS users..."
python3 -c "import json,sys; print(json.dumps({'appId':'wxbench','perUser':$PER_USER,'openIds':['o%07d' % i for i in range($USERS)]}))" >"$WORK/mint.json"
start=$(date +%s.%N)
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/mint.json" \
  "$BASE/sim/bulk/form-ids?format=lines" >"$WORK/formids.txt"
echo "minted $(wc -l <"$WORK/formids.txt") form_ids in $(echo "$(date +%s.%N) - $start" | bc) s"

TOKEN=$(curl -sf "$BASE/cgi-bin/token?grant_type=client_credential&appid=wxbench&secret=benchsecret" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

echo "warm-up (5s each, not counted)..."
wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$BASE/health" >/dev/null
FORMIDS_FILE="$WORK/formids.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s wechat-sim/bench/send.lua "$BASE" -- "$TOKEN" TPL_BENCH "$THREADS" >/dev/null
# The warm-up spent form_ids; re-mint a fresh set so every measured send is a first use.
curl -sf -X POST "$BASE/sim/reset" >/dev/null
TOKEN=$(curl -sf "$BASE/cgi-bin/token?grant_type=client_credential&appid=wxbench&secret=benchsecret" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/mint.json" \
  "$BASE/sim/bulk/form-ids?format=lines" >"$WORK/formids.txt"

echo "== GET /health: wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$BASE/health" | tee "$WORK/health.txt"
echo "== template sends: wrk -t$THREADS -c$CONNECTIONS -d$DURATION -s wechat-sim/bench/send.lua"
JCMD=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
[ -n "${SIM_BENCH_JFR:-}" ] && "$JCMD" "$SIM_PID" JFR.start name=sends settings=profile >/dev/null
FORMIDS_FILE="$WORK/formids.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s wechat-sim/bench/send.lua \
  "$BASE" -- "$TOKEN" TPL_BENCH "$THREADS" | tee "$WORK/send.txt"
[ -n "${SIM_BENCH_JFR:-}" ] && "$JCMD" "$SIM_PID" JFR.stop name=sends filename="$SIM_BENCH_JFR" >/dev/null

health=$(awk '/Requests\/sec/ {print $2}' "$WORK/health.txt")
sends=$(awk '/Requests\/sec/ {print $2}' "$WORK/send.txt")
echo "sim stats: $(curl -sf "$BASE/sim/stats" | cut -c1-300)"
printf 'RESULT health=%.0f req/s  sends=%.0f req/s  ratio=%.2f\n' "$health" "$sends" "$(echo "$sends / $health" | bc -l)"

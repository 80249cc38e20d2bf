#!/usr/bin/env bash
# Paired before/after comparison of two sim jars on a noisy shared machine: both run at once
# (idle while the other is measured), and short wrk runs alternate A, B, A, B, ... so each pair
# sees about the same background load. Prints sends/s and GET /health req/s per run.
#
#   wechat-sim/bench/sim-ab.sh A.jar B.jar [pairs=3] [duration=8s] [connections=64] [wrk threads=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
A=$1; B=$2; PAIRS=${3:-3}; DURATION=${4:-8s}; CONNECTIONS=${5:-64}; THREADS=${6:-2}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 -c "import json; print(json.dumps({'appId':'wxbench','perUser':10,'openIds':['o%07d' % i for i in range(100000)]}))" >"$WORK/mint.json"

start() { # name jar port
  HTTP_PORT=$3 WECHAT_APPS=wxbench:benchsecret WXPUSH_LOG_LEVEL=WARN \
    SIM_TEMPLATES='wxbench:TPL_BENCH:template:keyword1|keyword2:pages/index' \
    "$JAVA" -jar "$2" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$3/health" >/dev/null && break; sleep 0.1; done
  curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/mint.json" \
    "http://127.0.0.1:$3/sim/bulk/form-ids?format=lines" >"$WORK/$1.formids"
  # send.lua starts at the top of its file on every run: one fresh chunk per run, so no form_id is reused.
  split -l 200000 -d -a 1 "$WORK/$1.formids" "$WORK/$1.chunk."
  echo 0 >"$WORK/$1.next"
  curl -sf "http://127.0.0.1:$3/cgi-bin/token?grant_type=client_credential&appid=wxbench&secret=benchsecret" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' >"$WORK/$1.token"
}
sends() { # name port duration
  local chunk; chunk=$(cat "$WORK/$1.next"); echo $((chunk + 1)) >"$WORK/$1.next"
  FORMIDS_FILE="$WORK/$1.chunk.$chunk" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" -s wechat-sim/bench/send.lua \
    "http://127.0.0.1:$2" -- "$(cat "$WORK/$1.token")" TPL_BENCH "$THREADS" >"$WORK/out"
  grep -q 'other answers: 0' "$WORK/out" || { echo "non-zero errcodes in $1 run: $(grep answered "$WORK/out")" >&2; }
  awk '/Requests\/sec/ {printf "%.0f", $2}' "$WORK/out"
}
health() { # port duration
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" "http://127.0.0.1:$1/health" | awk '/Requests\/sec/ {printf "%.0f", $2}'
}
start A "$A" 18091
start B "$B" 18092
echo "warm-up..."; sends A 18091 5s >/dev/null; sends B 18092 5s >/dev/null; health 18091 3s >/dev/null; health 18092 3s >/dev/null
for i in $(seq "$PAIRS"); do
  a=$(sends A 18091 "$DURATION"); b=$(sends B 18092 "$DURATION")
  ha=$(health 18091 "$DURATION"); hb=$(health 18092 "$DURATION")
  printf 'PAIR %d  A sends=%s health=%s ratio=%.2f | B sends=%s health=%s ratio=%.2f | B/A sends=%.2f  load=%s\n' \
    "$i" "$a" "$ha" "$(echo "$a / $ha" | bc -l)" "$b" "$hb" "$(echo "$b / $hb" | bc -l)" "$(echo "$b / $a" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
done

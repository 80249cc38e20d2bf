#!/usr/bin/env bash
# The wxpush demo: one command brings up the whole system on embedded defaults and drives it
# through the public API.
#
#   scripts/demo.sh [--workers N] [--users N] [--no-wait]
#
#   --workers N   push-workers to run, each with all three roles (default 2)
#   --users N     simulated users (default 3000); about 85 % upload credentials
#   --no-wait     stop everything right after the summary instead of waiting for Ctrl-C
#
# It builds the jars when missing or older than an edit of the sources, starts Kafka and Redis (scripts/services.sh; services that
# already run are used as they are), then wechat-sim, ingest-api and the push-workers, each
# with a fresh topic and key prefix for this run. The driver (demo/, io.wxpush.demo.DemoDriver)
# logs the users in, uploads their credentials, runs one broadcast and one targeted push,
# prints a summary and checks it against the sim's inboxes. On exit (Ctrl-C, an error, or
# --no-wait) it stops every process it started, and the services only if it started them.
#
# Exit status: the driver's (0 = counts match the sim, 1 = they do not, 2 = the demo failed);
# 1 when something could not start (a port taken, a process that did not come up).
#
# Ports: DEMO_INGEST_PORT (8080), DEMO_SIM_PORT (8090), DEMO_WORKER_PORT (8081; the next
# workers take the following free ports). Logs: .wxpush/demo/<process>.log.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO_DIR=$ROOT/.wxpush/demo
APP_ID=wxdemo
INGEST_PORT=${DEMO_INGEST_PORT:-8080}
SIM_PORT=${DEMO_SIM_PORT:-8090}
WORKER_PORT=${DEMO_WORKER_PORT:-8081}
WORKERS=2
USERS=3000
WAIT=yes

say() { echo "demo: $*" >&2; }
usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --workers) [ $# -ge 2 ] || usage; WORKERS=$2; shift 2 ;;
    --workers=*) WORKERS=${1#*=}; shift ;;
    --users) [ $# -ge 2 ] || usage; USERS=$2; shift 2 ;;
    --users=*) USERS=${1#*=}; shift ;;
    --no-wait) WAIT=no; shift ;;
    -h|--help) usage ;;
    *) say "unknown option $1"; usage ;;
  esac
done
[[ $WORKERS =~ ^[0-9]+$ ]] && [ "$WORKERS" -ge 1 ] && [ "$WORKERS" -le 32 ] || { say "--workers must be a number from 1 to 32"; exit 2; }
[[ $USERS =~ ^[0-9]+$ ]] && [ "$USERS" -ge 10 ] || { say "--users must be a number of at least 10"; exit 2; }
command -v curl >/dev/null || { say "curl is needed to check the processes' /health; install it (apt-get install curl)"; exit 1; }

source "$ROOT/scripts/lib/common.sh" # use_java, port_open, spawn, wait_http, stop_process, ensure_jars, redis_delete_prefix
use_java

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# ---------------------------------------------------------------- ports, before starting anything
WORKER_PORTS=()
p=$WORKER_PORT
while [ ${#WORKER_PORTS[@]} -lt "$WORKERS" ]; do
  if [ "$p" -ne "$INGEST_PORT" ] && [ "$p" -ne "$SIM_PORT" ]; then WORKER_PORTS+=("$p"); fi
  p=$((p + 1))
done
for entry in "wechat-sim:$SIM_PORT" "ingest-api:$INGEST_PORT" $(for i in "${!WORKER_PORTS[@]}"; do echo "push-worker-$((i + 1)):${WORKER_PORTS[$i]}"; done); do
  if port_open "${entry##*:}"; then
    say "port ${entry##*:} (for ${entry%%:*}) is already taken by another process; stop it, or pick other ports with DEMO_SIM_PORT / DEMO_INGEST_PORT / DEMO_WORKER_PORT"
    exit 1
  fi
done

# ---------------------------------------------------------------- clean-up, armed before anything starts
PIDS=()
NAMES=()
SERVICES_STARTED=none   # none | all | kafka
RUN_ID=demo$(date +%Y%m%d%H%M%S)
REDIS_KEY_PREFIX=$RUN_ID:
cleaned=no

cleanup() {
  local status=$?
  [ "$cleaned" = yes ] && return
  cleaned=yes
  trap '' INT TERM
  if [ ${#PIDS[@]} -gt 0 ]; then
    echo >&2
    say "stopping what the demo started"
    local i
    # SIGTERM to all first, so that they shut down side by side; then each in turn, up to 20 s
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do [ -n "${PIDS[$i]}" ] && kill -TERM "${PIDS[$i]}" 2>/dev/null || true; done
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
      [ -n "${PIDS[$i]}" ] || continue
      STOP_WAIT_S=20 stop_process "${PIDS[$i]}" "${NAMES[$i]}"
      say "${NAMES[$i]} stopped"
    done
  fi
  # This run's Redis keys (its own prefix); its Kafka topics stay, named $RUN_ID.*.
  if [ -n "${REDIS_URL:-}" ] && command -v redis-cli >/dev/null && port_open "${REDIS_URL##*:}"; then
    redis_delete_prefix "$REDIS_URL" "$REDIS_KEY_PREFIX" 2>/dev/null || true
  fi
  case "$SERVICES_STARTED" in
    all) "$ROOT/scripts/services.sh" stop || true ;;
    kafka) "$ROOT/scripts/services.sh" stop-kafka || true ;;
  esac
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- build
mkdir -p "$DEMO_DIR"
ensure_jars wechat-sim/target/wechat-sim.jar ingest-api/target/ingest-api.jar push-worker/target/push-worker.jar demo/target/demo.jar || exit 1

# ---------------------------------------------------------------- Kafka and Redis
services_state=$("$ROOT/scripts/services.sh" status 2>/dev/null || true)
eval "$("$ROOT/scripts/services.sh" env)"
export KAFKA_BOOTSTRAP_SERVERS REDIS_URL
kafka_port=${KAFKA_BOOTSTRAP_SERVERS##*:}
redis_port=${REDIS_URL##*:}
if grep -q '^redis: running' <<<"$services_state" && grep -q '^kafka: running' <<<"$services_state"; then
  say "Kafka and Redis already run (scripts/services.sh); using them and leaving them running"
elif ! grep -q '^redis: running' <<<"$services_state" && ! grep -q '^kafka: running' <<<"$services_state" \
    && port_open "$kafka_port" && port_open "$redis_port"; then
  say "Kafka on port $kafka_port and Redis on port $redis_port already answer (started elsewhere); using them and leaving them running"
else
  if grep -q '^redis: running' <<<"$services_state"; then SERVICES_STARTED=kafka; else SERVICES_STARTED=all; fi
  say "starting Kafka and Redis (scripts/services.sh start)"
  "$ROOT/scripts/services.sh" start
fi

# ---------------------------------------------------------------- the processes
APP_SECRET=$(random_hex 16)
SESSION_SIGNING_KEY=$(random_hex 32)   # 64 characters
PUSH_API_KEY=$(random_hex 16)
umask 077
printf 'PUSH_API_KEY=%s\nINGEST=http://127.0.0.1:%s\n' "$PUSH_API_KEY" "$INGEST_PORT" >"$DEMO_DIR/demo.env"
umask 022

COMMON_ENV=(
  "WECHAT_APPS=$APP_ID:$APP_SECRET"
  "WECHAT_API_BASE=http://127.0.0.1:$SIM_PORT"
  "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS"
  "REDIS_URL=$REDIS_URL"
  "KAFKA_TOPIC_PREFIX=$RUN_ID."
  "KAFKA_TOPIC_PARTITIONS=6"
  "REDIS_KEY_PREFIX=$REDIS_KEY_PREFIX"
)
JAVA_OPTS=(-Xms64m -Xmx512m)

start_process() { # name jar env...
  local name=$1 jar=$2; shift 2
  spawn "$DEMO_DIR/$name.log" env "$@" java "${JAVA_OPTS[@]}" -jar "$ROOT/$jar"
  PIDS+=("$LAST_PID")
  NAMES+=("$name")
}

wait_healthy() { # name port pid
  local name=$1 port=$2 rc=0
  wait_http "http://127.0.0.1:$port/health" 120 "$3" || rc=$?
  case $rc in
    0) say "$name is UP on http://127.0.0.1:$port (log: .wxpush/demo/$name.log)" ;;
    2)
      say "$name exited before it was healthy; the end of .wxpush/demo/$name.log:"
      tail -n 20 "$DEMO_DIR/$name.log" >&2
      exit 1
      ;;
    *) say "$name did not report UP; see .wxpush/demo/$name.log"; exit 1 ;;
  esac
}

say "run $RUN_ID: topics $RUN_ID.*, Redis keys $REDIS_KEY_PREFIX*, logs in .wxpush/demo/"
start_process wechat-sim wechat-sim/target/wechat-sim.jar "${COMMON_ENV[@]}" "HTTP_PORT=$SIM_PORT" \
  "SIM_TEMPLATES=$APP_ID:TPL_ORDER:template:keyword1|keyword2;$APP_ID:TPL_SUB:subscribe:thing1|time2" \
  "SIM_LATENCY=20ms" "SIM_LATENCY_JITTER=10ms"
wait_healthy wechat-sim "$SIM_PORT" "${PIDS[0]}"
start_process ingest-api ingest-api/target/ingest-api.jar "${COMMON_ENV[@]}" "HTTP_PORT=$INGEST_PORT" \
  "SESSION_SIGNING_KEY=$SESSION_SIGNING_KEY" "PUSH_API_KEYS=$PUSH_API_KEY" \
  "SESSIONS_PER_ADDRESS_PER_MINUTE=1000000" # every simulated user logs in from this machine's one address
wait_healthy ingest-api "$INGEST_PORT" "${PIDS[1]}"
for i in "${!WORKER_PORTS[@]}"; do
  start_process "push-worker-$((i + 1))" push-worker/target/push-worker.jar "${COMMON_ENV[@]}" "HTTP_PORT=${WORKER_PORTS[$i]}"
done
for i in "${!WORKER_PORTS[@]}"; do
  wait_healthy "push-worker-$((i + 1))" "${WORKER_PORTS[$i]}" "${PIDS[$((i + 2))]}"
done

# ---------------------------------------------------------------- the demonstration
DRIVER_ARGS=(--ingest "http://127.0.0.1:$INGEST_PORT" --sim "http://127.0.0.1:$SIM_PORT" --app "$APP_ID"
  --users "$USERS" --run-id "$RUN_ID")
[ -t 1 ] && DRIVER_ARGS+=(--tty)
CONSOLE_URL="http://127.0.0.1:$INGEST_PORT/console#key=$PUSH_API_KEY"
echo
echo "The operator console (signed in with the demo's key; the key stays in the URL's fragment): $CONSOLE_URL"
if [ -t 1 ]; then echo "Open it to watch the broadcast move; the demo starts in 5 s."; sleep 5; fi
set +e
DEMO_PUSH_API_KEY=$PUSH_API_KEY java -Xmx512m -jar "$ROOT/demo/target/demo.jar" "${DRIVER_ARGS[@]}"
RESULT=$?
set -e

echo
echo "Meters in /metrics (summed over the processes)"
source "$ROOT/scripts/lib/check-meters.sh"
METRIC_URLS=("http://127.0.0.1:$INGEST_PORT/metrics")
for p in "${WORKER_PORTS[@]}"; do METRIC_URLS+=("http://127.0.0.1:$p/metrics"); done
if ! check_meters "${METRIC_URLS[@]}"; then
  say "a meter is missing, or zero where traffic flowed"
  [ "$RESULT" -eq 0 ] && RESULT=1
fi

echo
echo "Where to look"
echo "  console       $CONSOLE_URL"
echo "  API docs      http://127.0.0.1:$INGEST_PORT/docs   (http://127.0.0.1:$INGEST_PORT/openapi.json)"
echo "  push status   source .wxpush/demo/demo.env; curl -s -H \"Authorization: Bearer \$PUSH_API_KEY\" http://127.0.0.1:$INGEST_PORT/v1/pushes/$RUN_ID-broadcast"
echo "  credentials   (same key) http://127.0.0.1:$INGEST_PORT/v1/users/demo-user-000000/credentials?appId=$APP_ID"
echo "  sim           http://127.0.0.1:$SIM_PORT/sim/stats   http://127.0.0.1:$SIM_PORT/sim/users/$APP_ID/demo-user-000000/inbox"
printf '  %-13s %-36s %-36s %s\n' process health metrics log
printf '  %-13s %-36s %-36s %s\n' wechat-sim "http://127.0.0.1:$SIM_PORT/health" "http://127.0.0.1:$SIM_PORT/metrics" .wxpush/demo/wechat-sim.log
printf '  %-13s %-36s %-36s %s\n' ingest-api "http://127.0.0.1:$INGEST_PORT/health" "http://127.0.0.1:$INGEST_PORT/metrics" .wxpush/demo/ingest-api.log
for i in "${!WORKER_PORTS[@]}"; do
  printf '  %-13s %-36s %-36s %s\n' "push-worker-$((i + 1))" "http://127.0.0.1:${WORKER_PORTS[$i]}/health" \
    "http://127.0.0.1:${WORKER_PORTS[$i]}/metrics" ".wxpush/demo/push-worker-$((i + 1)).log"
done
echo "  Kafka $KAFKA_BOOTSTRAP_SERVERS (topics $RUN_ID.*), Redis $REDIS_URL (keys $REDIS_KEY_PREFIX*)"

if [ "$RESULT" -ne 0 ]; then say "the demo did not succeed (exit status $RESULT); the process logs are in .wxpush/demo/"; fi
if [ "$WAIT" = yes ]; then
  echo
  echo "Everything keeps running; press Ctrl-C to stop it."
  while true; do
    for i in "${!PIDS[@]}"; do
      if [ -n "${PIDS[$i]}" ] && ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
        say "${NAMES[$i]} has exited; see .wxpush/demo/${NAMES[$i]}.log"
        PIDS[$i]=""
      fi
    done
    sleep 2
  done
fi
exit "$RESULT"

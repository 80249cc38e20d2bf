#!/usr/bin/env bash
# The peer run (issue 32): what a Java team would write instead of wxpush, side by side with one
# wxpush sender, on the same wechat-sim (SIM_LATENCY 50 ms), the same USERS users and the same
# subscribe template (both send through /cgi-bin/message/subscribe/send).
#
#   peer   bench/peer-wxjava (its own Maven project, not in the root reactor): WxJava 4.7.0
#          (weixin-java-miniapp), the token in WxJava's own Redis-backed config
#          (WxMaRedisBetterConfigImpl over RedissonWxRedisOps, Redisson 3.23.3 with its defaults), a fixed pool of THREADS threads and as
#          many HTTP connections calling getSubscribeService().sendSubscribeMsg once per user of its
#          input list; a call that throws (I/O, HTTP 5xx) is tried again twice, 1 s apart (WxJava's
#          own retry only covers errcode -1); no ledger, claim, status or persisted progress: a
#          restarted run starts its list from the top.
#   wxpush one push-worker WORKER_ROLES=sender (SENDER_CONCURRENCY=THREADS), a fan-out and an
#          ingest-api, started as bench/broadcast.sh starts them; the users' grants in its pools; an
#          app policy PUT (maxPerUserPerDay 5: checked on every claim, never reached); one
#          POST /v1/pushes to everyone, polled until done.
#
# Each user has accepted the template twice at the sim (two one-time grants; wxpush's pools hold
# both), so a second send to a user is delivered, as it would be at WeChat, and shows in the inbox.
# Three runs each, every run on a reset sim, fresh Redis keys and fresh topics:
#   clean  no faults: sends/s (the peer: first send to last answer; wxpush: POST to done) and CPU
#          per delivered send of the sender process and of the Redis server, and Redis commands per
#          send (INFO commandstats after a CONFIG RESETSTAT) (a private Redis on
#          BENCH_REDIS_PORT, 6391 by default, which serves nothing else; wxpush's fan-out and API use
#          it too); each system first sends to WARM_USERS (10,000) other users, unmeasured, in the
#          same processes, with another subscribe template (TPL_WARM), so that the measured pass
#          meets JIT-compiled code (WARM_USERS=0: cold JVMs)
#   502    FAULT_502 (2 %) of the sends are delivered and then answered HTTP 502, as a gateway would
#          (the sim's http5xxAfterDeliveryRate)
#   kill   kill -9 of the sender process once the sim has delivered half the users, then the same
#          sender started again (the peer: the same input list; wxpush: the same env)
# After each run the sim's inboxes decide: users with 0 messages, exactly 1, more than 1.
#
#   bench/peer-wxjava.sh [users=20000]      THREADS=1024 FAULT_502=0.02 LATENCY_MS=50 WARM_USERS=10000
export BENCH_REDIS_PORT=${BENCH_REDIS_PORT:-6391}
source "$(dirname "$0")/lib.sh"
USERS=${1:-20000}
THREADS=${THREADS:-1024}
FAULT_502=${FAULT_502:-0.02}
LATENCY_MS=${LATENCY_MS:-50}
WARM_USERS=${WARM_USERS:-10000}
TEMPLATE=TPL_PEER
WARM_TEMPLATE=TPL_WARM # the warm-up's: another subscribe template, so the measured push's audience is the measured users
PEER=$BENCH/peer-wxjava

# ---------------------------------------------------------------- the private Redis
port_open "$REDIS_PORT" && { say "port $REDIS_PORT is taken: set BENCH_REDIS_PORT to a free one"; exit 1; }
redis-server --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes --pidfile "$WORK/redis.pid" \
  --logfile "$WORK/redis.log" >/dev/null
wait_pidfile "$WORK/redis.pid"
REDIS_PID=$(cat "$WORK/redis.pid")
# the processes and keys first (lib.sh's cleanup), then this Redis, which only this script uses
trap 'cleanup; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true' EXIT

# ---------------------------------------------------------------- builds
ensure_tool # the jars and bench/.build
say "building the peer sender (bench/peer-wxjava, WxJava 4.7.0 from Maven Central)"
"$ROOT/mvnw" -q -B -f "$PEER/pom.xml" package
compile_java "$BENCH/.build" PeerTool.class "$TOOL_CP" "$PEER/tool/PeerTool.java" push-worker/target/push-worker.jar
peer_tool() { "$JAVA" -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "$BENCH/.build:$TOOL_CP" PeerTool "$@"; }

# ---------------------------------------------------------------- the sim and the users
port=$(free_port)
start sim wechat-sim/target/wechat-sim.jar HTTP_PORT="$port" SIM_LATENCY="${LATENCY_MS}ms" \
  SIM_TEMPLATES="$APP:$TEMPLATE:subscribe:thing1|time2;$APP:$WARM_TEMPLATE:subscribe:thing1|time2" SIM_REQUEST_LOG=0
SIM=http://127.0.0.1:$port
wait_http "$SIM/health" 60
python3 -c "print('\n'.join('p%07d' % i for i in range($USERS)))" >"$WORK/users"
python3 -c "print('\n'.join('w%07d' % i for i in range($WARM_USERS)))" >"$WORK/warm"
warm() { [ "$1" = clean ] && [ "$WARM_USERS" -gt 0 ]; } # RUN: does this run warm up first?

sim_stat() { curl -sf "$SIM/sim/stats" | grep -o "\"$1\":[0-9]*" | cut -d: -f2; } # a number of GET /sim/stats
# fresh_sim TAG FAULT: a reset sim with FAULT as its 502-after-delivery rate, fresh key and topic prefixes
fresh_sim() {
  curl -sf -X POST "$SIM/sim/reset" >/dev/null
  curl -sf -X PUT -H 'Content-Type: application/json' -d "{\"http5xxAfterDeliveryRate\":$2}" "$SIM/sim/faults" >/dev/null
  new_prefixes "$1"
}
us_per() { python3 -c "print(round($1 * 1e6 / max(1, $2)))"; } # CPU seconds, sends
rcli() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@"; }
# Redis commands run since the last CONFIG RESETSTAT, per send: calls summed over INFO commandstats
cmds_per() { rcli info commandstats | tr -d '\r' | grep -o 'calls=[0-9]*' | cut -d= -f2 \
  | awk -v n="$1" '{c += $1} END {printf "%.1f", (c - 1) / (n > 0 ? n : 1)}'; } # less the INFO's own call
# kill_at_half PID: waits until the sim has delivered half the users, then kill -9 PID
kill_at_half() {
  while [ "$(sim_stat delivered)" -lt $((USERS / 2)) ]; do
    kill -0 "$1" 2>/dev/null || { say "the sender ended before half the users were sent"; return 1; }
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || { say "the sender ended before the kill"; return 1; }
  wait "$1" 2>/dev/null || true
  say "kill -9 of the sender at $(sim_stat delivered) delivered"
}
ROWS=()
# row SYSTEM RUN RATE SENDER_US REDIS_US REDIS_CMDS NOTE: reads the inboxes and adds a table row
row() {
  local counts
  counts=$(peer_tool count "$SIM" "$APP" "$WORK/users" | grep '^RESULT')
  say "$1 $2: $counts"
  ROWS+=("$(python3 - "$counts" "$@" <<'EOF'
import sys
kv = dict(p.split('=') for p in sys.argv[1].split()[2:])
system, run, rate, sender, redis, cmds, note = sys.argv[2:9]
print(f"| {system} | {run} | {rate} | {sender} | {redis} | {cmds} | {int(kv['zero']):,} | {int(kv['one']):,} | {int(kv['more']):,} | {note} |")
EOF
)")
}

# ---------------------------------------------------------------- the peer
# peer_run RUN FAULT KILL(0|1)
peer_run() {
  local run=$1 fault=$2 kill=$3 r0 pid out rate cpu
  fresh_sim "peer$run" "$fault"
  peer_tool grant "$SIM" "$APP" "$TEMPLATE" "$WORK/users" 2 >&2
  local warm_env=()
  if warm "$run"; then
    peer_tool grant "$SIM" "$APP" "$WARM_TEMPLATE" "$WORK/warm" 1 >&2
    warm_env=(PEER_WARM_USERS="$WORK/warm" PEER_WARM_TEMPLATE="$WARM_TEMPLATE")
  fi
  local env=("${warm_env[@]}" PEER_API_BASE="$SIM" PEER_APP="$APP" PEER_SECRET="$SECRET" PEER_REDIS_HOST="$REDIS_HOST"
    PEER_REDIS_PORT="$REDIS_PORT" PEER_KEY_PREFIX="${KEY_PREFIX%:}" PEER_TEMPLATE="$TEMPLATE" PEER_USERS="$WORK/users"
    PEER_THREADS="$THREADS")
  r0=$(cpu_s "$REDIS_PID"); rcli config resetstat >/dev/null
  spawn "$WORK/peer-$run.log" env "${env[@]}" "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$PEER/target/classes:$PEER/target/lib/*" io.wxpush.bench.peer.PeerSender
  pid=$LAST_PID; local log=$WORK/peer-$run.log
  if warm "$run"; then # Redis's CPU from the measured pass's start
    until grep -q '^MEASURING' "$log"; do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    r0=$(cpu_s "$REDIS_PID"); rcli config resetstat >/dev/null
  fi
  if [ "$kill" = 1 ]; then
    kill_at_half "$pid"
    log=$WORK/peer-$run-again.log
    spawn "$log" env "${env[@]}" "$JAVA" -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$PEER/target/classes:$PEER/target/lib/*" io.wxpush.bench.peer.PeerSender
    pid=$LAST_PID
  fi
  wait "$pid" || true
  out=$(grep '^RESULT' "$log" || echo "RESULT peer (none: see $log)"); say "peer $run: $out"
  local sent; sent=$(sim_stat delivered)
  warm "$run" && sent=$((sent - WARM_USERS))
  rate=$(sed -E 's/.* rate=([0-9.]+).*/\1/' <<<"$out")
  cpu=$(sed -E 's/.* cpu_s=([0-9.]+).*/\1/' <<<"$out")
  local note="sender: $(sed -E 's/.* ok=([0-9]+) failed=([0-9]+) retried=([0-9]+).*/ok \1, failed \2, retried \3/' <<<"$out")"
  [ "$kill" = 1 ] && note="restarted from the top of its list; $note"
  row peer-wxjava "$run" "$([ "$run" = clean ] && printf '%.0f' "$rate" || echo —)" \
    "$([ "$run" = clean ] && us_per "$cpu" "$sent" || echo —)" \
    "$([ "$run" = clean ] && us_per "$(python3 -c "print($(cpu_s "$REDIS_PID") - $r0)")" "$sent" || echo —)" \
    "$([ "$run" = clean ] && cmds_per "$sent" || echo —)" "$note"
}

# ---------------------------------------------------------------- wxpush
# wx_push API BODY: POSTs a push, sets rid. wx_done API: polls it until done (600 s at most), sets st.
wx_push() {
  rid=$(curl -sf -X POST -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' -d "$2" "$1/v1/pushes" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["requestId"])')
}
wx_done() {
  local deadline=$((SECONDS + 600))
  while :; do
    st=$(curl -sf -H "Authorization: Bearer $API_KEY" "$1/v1/pushes/$rid" || true)
    case "$st" in *'"state":"done"'*) return 0 ;; esac
    [ "$SECONDS" -lt "$deadline" ] || { say "push $rid not done in 600 s: $st"; return 0; }
    sleep 0.1
  done
}

# wx_run RUN FAULT KILL(0|1)
wx_run() {
  local run=$1 fault=$2 kill=$3 port api sender fanout apipid st rid t0 t1 c0 r0 deadline
  fresh_sim "wx$run" "$fault"
  peer_tool grant "$SIM" "$APP" "$TEMPLATE" "$WORK/users" 2 "$REDIS_URL" "$KEY_PREFIX" >&2
  warm "$run" && peer_tool grant "$SIM" "$APP" "$WARM_TEMPLATE" "$WORK/warm" 1 "$REDIS_URL" "$KEY_PREFIX" >&2
  local common=(WECHAT_API_BASE="$SIM" KAFKA_TOPIC_PARTITIONS=12)
  local sender_env=("${common[@]}" WORKER_ROLES=sender SENDER_CONCURRENCY="$THREADS" SENDER_CONSUMERS=4)
  port=$(free_port); start "wx$run-fanout" push-worker/target/push-worker.jar "${common[@]}" HTTP_PORT="$port" WORKER_ROLES=fanout
  fanout=$LAST_PID; local ports=("$port")
  port=$(free_port); start "wx$run-sender" push-worker/target/push-worker.jar "${sender_env[@]}" HTTP_PORT="$port"
  sender=$LAST_PID; ports+=("$port")
  port=$(free_port); start "wx$run-api" ingest-api/target/ingest-api.jar "${common[@]}" HTTP_PORT="$port" \
    SESSION_SIGNING_KEY="$SIGNING_KEY" PUSH_API_KEYS="$API_KEY"
  apipid=$LAST_PID; api=http://127.0.0.1:$port; ports+=("$port")
  for port in "${ports[@]}"; do wait_http "http://127.0.0.1:$port/health" 120; done
  curl -sf -X PUT -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
    -d '{"quietHours":null,"maxPerUserPerDay":5,"reserveLast":false}' "$api/v1/apps/$APP/policy" >/dev/null
  sleep "${JOIN_WAIT:-5}" # the share consumers join and the policy reaches the workers before the clock starts
  local body='{"appId":"'$APP'","kind":"subscribe","templateId":"'$TEMPLATE'","page":"pages/index","data":{"thing1":"order 42 shipped","time2":"2024-05-01 12:30"},"audience":{"all":true}}'
  if warm "$run"; then # a push of the warm-up template: its holders are the warm-up users only
    wx_push "$api" "${body/$TEMPLATE/$WARM_TEMPLATE}"; wx_done "$api"
    say "wxpush warm-up: $st"
  fi
  c0=$(cpu_s "$sender"); r0=$(cpu_s "$REDIS_PID"); rcli config resetstat >/dev/null
  local d0; d0=$(sim_stat delivered)
  t0=$(date +%s.%N)
  wx_push "$api" "$body"
  if [ "$kill" = 1 ]; then
    kill_at_half "$sender"
    port=$(free_port); start "wx$run-sender-again" push-worker/target/push-worker.jar "${sender_env[@]}" HTTP_PORT="$port"
    sender=$LAST_PID
  fi
  wx_done "$api"
  t1=$(date +%s.%N)
  local sent cpu rcpu
  sent=$(( $(sim_stat delivered) - d0 ))
  cpu=$(python3 -c "print($(cpu_s "$sender") - $c0)"); rcpu=$(python3 -c "print($(cpu_s "$REDIS_PID") - $r0)")
  local cmds; cmds=$(cmds_per "$sent")
  say "wxpush $run: $st"
  local note
  note=$(python3 -c '
import json, sys
s = json.loads(sys.argv[1])
why = ", ".join(f"{k} {v}" for k, v in sorted((s.get("byReason") or {}).items()))
print("status: sent %s, unknown %s, failed %s" % (s.get("sent", 0), s.get("unknown", 0), s.get("failed", 0)) + (" (%s)" % why if why else ""))' "$st")
  [ "$kill" = 1 ] && note="sender restarted with the same env; $note"
  row wxpush "$run" "$([ "$run" = clean ] && python3 -c "print(round($USERS / ($t1 - $t0)))" || echo —)" \
    "$([ "$run" = clean ] && us_per "$cpu" "$sent" || echo —)" "$([ "$run" = clean ] && us_per "$rcpu" "$sent" || echo —)" \
    "$([ "$run" = clean ] && echo "$cmds" || echo —)" "$note"
  for p in "$sender" "$fanout" "$apipid"; do stop_process "$p"; done
  redis_clean "$KEY_PREFIX"
}

t_start=$SECONDS
for run in clean 502 kill; do
  fault=0; [ "$run" = 502 ] && fault=$FAULT_502
  k=0; [ "$run" = kill ] && k=1
  peer_run "$run" "$fault" "$k"
  wx_run "$run" "$fault" "$k"
done

echo
echo "peer-wxjava: $USERS users, sim latency ${LATENCY_MS} ms, $THREADS sends in flight, 502 fault rate $FAULT_502; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $((SECONDS - t_start)) s"
echo
echo "| system | run | sends/s | sender CPU µs/send | Redis CPU µs/send | Redis commands/send | users with 0 | with 1 | with >1 | what the sender said |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"

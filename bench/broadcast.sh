# Sourced by bench/push.sh and bench/memory.sh (after lib.sh): one broadcast end to end.
#   broadcast TAG USERS SENDERS
# A fresh topic and key prefix; USERS users (u0000000…) get one sim-minted form_id each, written
# straight into the pools (CredentialPool.addAll), or BC_SEED names a function that seeds instead; one fan-out worker and SENDERS sender workers
# (SENDER_CONCURRENCY, SENDER_CONSUMERS; SENDER_JAR and FANOUT_JAR to run the senders or the fan-out from another build; WORKER_JAVA_OPTS for their JVMs, with %n replaced by the
# process name) and an ingest-api; POST /v1/pushes to everyone, poll GET /v1/pushes/{id} until done.
# Sets BC_SENT, BC_ELAPSED (s, from POST to done), BC_RATE (sends/s), BC_STATUS, BC_PIDS (name=pid…),
# BC_CPU: CPU ms per 1,000 sends of each process during the broadcast (senders, fan-out, sim, and
# the shared Kafka broker and Redis server, which also serve whatever else runs on the machine).
# BC_PER_USER: form_ids per user (default 1; 2 with BC_WARM). BC_WARM=1: every user gets two form_ids and the same processes first run one unmeasured broadcast,
# so the measured one meets JIT-compiled code (a cold JVM spends ~1/3 of a 60k-user broadcast's
# CPU compiling: BENCHMARKS.md §10); the CPU figures are then the steady state's. BC_AFTER_WARM
# names a function to call after the warm-up.
SENDER_CONCURRENCY=${SENDER_CONCURRENCY:-1024}
SENDER_CONSUMERS=${SENDER_CONSUMERS:-4}

jopts() { local o=${WORKER_JAVA_OPTS:-}; echo "${o//%n/$1}"; }

# bc_push API: POST a broadcast to everyone and poll it until done; sets st, t0, t1.
bc_push() {
  local api=$1 rid deadline
  local body='{"appId":"'$APP'","kind":"template","templateId":"TPL_BENCH","page":"pages/index","data":{"keyword1":"order 42 shipped","keyword2":"2024-05-01 12:30"},"audience":{"all":true}}'
  t0=$(date +%s.%N)
  rid=$(curl -sf -X POST -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' -d "$body" "$api/v1/pushes" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["requestId"])')
  deadline=$((SECONDS + ${BC_TIMEOUT:-1800}))
  while :; do
    st=$(curl -sf -H "Authorization: Bearer $API_KEY" "$api/v1/pushes/$rid" || true)
    t1=$(date +%s.%N)
    case "$st" in *'"state":"done"'*) break ;; esac
    [ "$SECONDS" -lt "$deadline" ] || { say "push $rid not done in time: $st"; break; }
    [ -n "${BC_ON_POLL:-}" ] && $BC_ON_POLL
    sleep 0.25
  done
}

broadcast() {
  local tag=$1 users=$2 senders=$3 pids=() names=() port ports=() i st t0 t1
  new_prefixes "$tag"
  if [ -n "${BC_SEED:-}" ]; then
    $BC_SEED "$tag" "$users" # the caller seeds the pools its own way (bench/redis-budget.sh)
  else
    mint_formids "$users" "${BC_PER_USER:-$((${BC_WARM:-0} == 1 ? 2 : 1))}" "$WORK/$tag.formids"
    tool seed-pools "$REDIS_URL" "$KEY_PREFIX" "$APP" "$WORK/$tag.formids" >&2
    rm -f "$WORK/$tag.formids"
  fi
  local common=(WECHAT_API_BASE="$SIM" KAFKA_TOPIC_PARTITIONS=12)
  port=$(free_port)
  JAVA_OPTS=$(jopts "$tag-fanout") start "$tag-fanout" "${FANOUT_JAR:-push-worker/target/push-worker.jar}" "${common[@]}" \
    HTTP_PORT="$port" WORKER_ROLES=fanout
  pids+=("$LAST_PID"); names+=(fanout); ports+=("$port")
  for ((i = 1; i <= senders; i++)); do
    port=$(free_port)
    JAVA_OPTS=$(jopts "$tag-sender$i") start "$tag-sender$i" "${SENDER_JAR:-push-worker/target/push-worker.jar}" "${common[@]}" \
      HTTP_PORT="$port" WORKER_ROLES=sender SENDER_CONCURRENCY="$SENDER_CONCURRENCY" SENDER_CONSUMERS="$SENDER_CONSUMERS"
    pids+=("$LAST_PID"); names+=("sender$i"); ports+=("$port")
  done
  port=$(free_port)
  JAVA_OPTS= start "$tag-api" ingest-api/target/ingest-api.jar "${common[@]}" HTTP_PORT="$port" \
    SESSION_SIGNING_KEY="$SIGNING_KEY" PUSH_API_KEYS="$API_KEY"
  local api_pid=$LAST_PID api=http://127.0.0.1:$port
  for p in "${ports[@]}"; do wait_http "http://127.0.0.1:$p/health" 90; done
  wait_http "$api/health" 90
  sleep "${JOIN_WAIT:-5}" # let the share consumers join before the clock starts
  BC_PIDS=""
  for i in "${!pids[@]}"; do BC_PIDS+="${names[$i]}=${pids[$i]} "; done

  if [ "${BC_WARM:-0}" = 1 ] && [ -z "${BC_SEED:-}" ]; then
    bc_push "$api"
    [ -n "${BC_AFTER_WARM:-}" ] && $BC_AFTER_WARM
    say "warm-up broadcast ($tag): $(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("sent",0))' "$st") sent in $(python3 -c "print(f'{$t1 - $t0:.2f}')") s"
  fi
  # CPU used during the broadcast, per process: the rate depends on the machine's load, this far less
  local cpu_names=("${names[@]}") cpu_pids=("${pids[@]}") c0=() kpid rpid
  [ -n "${SIM_PID:-}" ] && { cpu_names+=(sim); cpu_pids+=("$SIM_PID"); }
  kpid=$(cat "${WXPUSH_STATE_DIR:-$ROOT/.wxpush/services}/kafka/kafka.pid" 2>/dev/null || true)
  rpid=$(cat "${WXPUSH_STATE_DIR:-$ROOT/.wxpush/services}/redis/redis.pid" 2>/dev/null || true)
  [ -n "$kpid" ] && [ -e "/proc/$kpid" ] && { cpu_names+=(kafka); cpu_pids+=("$kpid"); }
  [ -n "$rpid" ] && [ -e "/proc/$rpid" ] && { cpu_names+=(redis); cpu_pids+=("$rpid"); }
  for i in "${!cpu_pids[@]}"; do c0+=("$(cpu_s "${cpu_pids[$i]}")"); done

  bc_push "$api"
  BC_STATUS=$st
  BC_SENT=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("sent",0))' "$st")
  BC_ELAPSED=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
  BC_RATE=$(python3 -c "print(f'{$BC_SENT / ($t1 - $t0):.1f}')")
  BC_CPU=""
  local total=0 used
  for i in "${!cpu_pids[@]}"; do
    used=$(python3 -c "print(round(($(cpu_s "${cpu_pids[$i]}") - ${c0[$i]}) * 1e6 / max(1, $BC_SENT)))")
    BC_CPU+="${cpu_names[$i]}=$used "
    total=$((total + used))
  done
  BC_CPU+="total=$total (CPU ms per 1k sends)"
  [ -n "${BC_BEFORE_STOP:-}" ] && $BC_BEFORE_STOP
  for p in "${pids[@]}" "$api_pid"; do stop_process "$p"; done
  redis_clean "$KEY_PREFIX"
}

#!/usr/bin/env bash
# The send path's Redis work alone, side by side (BENCHMARKS.md, "Redis per send"): USERS users with
# PER_USER form_ids (32-hex) each; for every user the happy path's ledger steps (attempt with its
# claim, settle sent) and the push's outcome, from 512 virtual threads through one RedisBatcher, with
# no WeChat call, Kafka or fan-out between (bench/java/SendScripts.java) — so Redis's sockets are
# busy and its CPU per send is the scripts' own, not a slow broadcast's idle round trips. This build
# ("new": outcomes 64 users per call, as a sender batches them) and BASELINE_JAR ("base": its own
# scripts, one outcome call per user), alternating, RUNS runs; prints commands, script calls and
# Redis CPU per send (medians) and new÷base. Needs a private Redis (BENCH_REDIS_PORT): every
# command on it counts.
#   BASELINE_JAR=<push-worker.jar before> [RUNS=3] [PER_USER=3] bench/redis-scripts.sh [users=50000]
source "$(dirname "$0")/lib.sh"
USERS=${1:-50000}; RUNS=${RUNS:-3}
[ -n "${BASELINE_JAR:-}" ] && [ -f "$BASELINE_JAR" ] || { say "BASELINE_JAR must name another push-worker jar"; exit 2; }
ensure_jars push-worker/target/push-worker.jar
compile_java "$BENCH/.build" SendScripts.class push-worker/target/push-worker.jar "$BENCH/java/SendScripts.java" push-worker/target/push-worker.jar
: >"$WORK/base.json"; : >"$WORK/new.json"
for run in $(seq "$RUNS"); do
  order=(base new); [ $((run % 2)) = 0 ] && order=(new base)
  for v in "${order[@]}"; do
    new_prefixes "s$run$v"
    if [ "$v" = base ]; then jar=$BASELINE_JAR; mode=single; else jar=push-worker/target/push-worker.jar; mode=batched; fi
    "$JAVA" -cp "$BENCH/.build:$jar" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
      SendScripts "$REDIS_URL" "$KEY_PREFIX" "$USERS" "${PER_USER:-3}" "$mode" | tail -1 | tee -a "$WORK/$v.json"
    redis_clean "$KEY_PREFIX"
  done
done
python3 - "$WORK" <<'PY'
import sys, json, statistics
w = sys.argv[1]
runs = {v: [json.loads(l) for l in open(f"{w}/{v}.json")] for v in ('base', 'new')}
m = lambda v, k: statistics.median(r[k] for r in runs[v])
print(f"| per send (median of {len(runs['new'])}) | base | new | new/base |")
print("|---|---|---|---|")
for name, k, f in (('commands', 'commands', '.2f'), ('script calls', 'scripts', '.3f'), ('Redis CPU, us', 'redis_us', '.1f'), ('sends/s (one client)', 'per_s', '.0f')):
    print(f"| {name} | {m('base', k):{f}} | {m('new', k):{f}} | x{m('new', k) / m('base', k):.2f} |")
PY

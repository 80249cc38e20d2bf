# Shared by the bench/*.sh scripts: sourced, never run. Needs `scripts/services.sh start` first
# (Kafka on 127.0.0.1:9092, Redis on 6379, shared with other users: every run takes its own
# topic prefix and Redis key prefix and deletes its Redis keys afterwards).
# What is not about benchmarks (the JDK, free ports, waiting for /health, starting and stopping
# processes, Maven resolution, Redis key clean-up) comes from scripts/lib/common.sh; this file
# adds the bench's fixtures: run prefixes, the processes' common env, the sim, BenchTool, and
# the arithmetic of medians and ratios.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
cd "$ROOT"
say() { echo "bench: $*" >&2; }
source "$ROOT/scripts/lib/common.sh"
use_java # a JDK >= 21 (the default java may be 17): JAVA_HOME, JAVA

need() { for c in "$@"; do command -v "$c" >/dev/null || { say "$c is missing (apt-get install -y wrk redis-tools curl python3)"; exit 1; }; done; }
# before the scratch dir is made: an exit here has nothing to clean up
need wrk redis-cli redis-benchmark curl python3

KAFKA=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}
REDIS_HOST=${BENCH_REDIS_HOST:-127.0.0.1}
REDIS_PORT=${BENCH_REDIS_PORT:-6379}
REDIS_URL=redis://$REDIS_HOST:$REDIS_PORT
APP=wxbench
SECRET=bench-secret-0001
SIGNING_KEY=bench-signing-key-0123456789abcdef-0123
API_KEY=bench-push-api-key-0123456789
RUN_ID=$(date +%s)$RANDOM
TOPIC_PREFIX=bench.$RUN_ID.; KEY_PREFIX=bench$RUN_ID:
WORK=$(mktemp -d /tmp/wxpush-bench.XXXXXX)
PIDS=()
PREFIXES=()

# Ends exactly the processes this script started, deletes its Redis keys, Kafka topics and scratch dir.
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  local p
  for p in "${PREFIXES[@]}"; do redis_clean "$p"; done
  # the run's topics too: left behind, they pile up and slow every later broker start
  [ -f "$BENCH/.build/BenchTool.class" ] && tool delete-topics "$KAFKA" "bench.$RUN_ID." >/dev/null 2>&1 || true
  [ -n "${KEEP_WORK:-}" ] && say "scratch kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

redis_clean() { redis_delete_prefix "$REDIS_URL" "$1"; } # prefix: deletes every key under it

# A fresh Kafka topic prefix and Redis key prefix; the keys are deleted on exit.
new_prefixes() {
  TOPIC_PREFIX=bench.$RUN_ID.$1.
  KEY_PREFIX=bench$RUN_ID$1:
  PREFIXES+=("$KEY_PREFIX")
}

# Compiles bench/java/BenchTool.java against the built jars (once per jar build).
TOOL_CP=push-worker/target/push-worker.jar:ingest-api/target/ingest-api.jar
ensure_tool() {
  ensure_jars ingest-api/target/ingest-api.jar push-worker/target/push-worker.jar wechat-sim/target/wechat-sim.jar
  compile_java "$BENCH/.build" BenchTool.class "$TOOL_CP" "$BENCH/java/BenchTool.java" push-worker/target/push-worker.jar
}
tool() { "$JAVA" -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "$BENCH/.build:$TOOL_CP" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn BenchTool "$@"; }

# Kafka's own tools (ProducerPerformance), resolved from Maven Central into bench/.lib.
ensure_kafka_tools() { resolve_deps "org.apache.kafka:kafka-tools" "$BENCH/kafka-tools/pom.xml" "$BENCH/.lib/kafka-tools"; }
kafka_tool() { "$JAVA" -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -Xmx512m -cp "$BENCH/.lib/kafka-tools/*" -Dlog4j2.level=warn "$@"; }

# start NAME JAR [VAR=value…]: starts a process in the background with the common env; sets LAST_PID.
start() {
  local name=$1 jar=$2; shift 2
  spawn "$WORK/$name.log" env KAFKA_BOOTSTRAP_SERVERS="$KAFKA" KAFKA_TOPIC_PREFIX="$TOPIC_PREFIX" REDIS_URL="$REDIS_URL" \
    REDIS_KEY_PREFIX="$KEY_PREFIX" WECHAT_APPS="$APP:$SECRET" WXPUSH_LOG_LEVEL=WARN "$@" \
    "$JAVA" ${JAVA_OPTS:-} -jar "$jar"
  PIDS+=("$LAST_PID")
}

# start_sim LATENCY_MS: a wechat-sim with the bench template (SIM_ID_FORMAT=real: it mints ids in WeChat's shape); sets SIM and SIM_PID.
start_sim() {
  local port; port=$(free_port)
  start sim wechat-sim/target/wechat-sim.jar HTTP_PORT="$port" SIM_LATENCY="${1}ms" \
    SIM_TEMPLATES="$APP:TPL_BENCH:template:keyword1|keyword2" SIM_ID_FORMAT="${SIM_ID_FORMAT:-sim}"
  SIM_PID=$LAST_PID
  SIM=http://127.0.0.1:$port
  wait_http "$SIM/health" 60
}

# mint_formids USERS PER_USER OUT [FIRST_USER]: form_ids minted by the sim, "openId formId" lines.
mint_formids() {
  python3 -c "import json; print(json.dumps({'appId':'$APP','perUser':$2,'openIds':['u%07d' % i for i in range(${4:-0}, ${4:-0} + $1)]}))" >"$WORK/mint.json"
  curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/mint.json" \
    "$SIM/sim/bulk/form-ids?format=lines" >"$3"
}

# cpu_s PID: CPU seconds (user + system) the process has used so far.
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$1/stat"; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { python3 -c "print(f'{$1/$2:.3g}')"; }
# The median over runs of new÷baseline for column $1 of $WORK/new.tsv and $WORK/base.tsv (same
# columns), each ratio measured side by side in one run.
per_run_ratio() { paste -d' ' "$WORK/new.tsv" "$WORK/base.tsv" | awk -v c="$1" '{printf "%.3f\n", $c/$(c + NF/2)}' | median; }
# The order to measure VARIANTS in during run $1: with two (base new), even runs swap them, so
# that neither always goes first on a machine whose load drifts.
run_order() { if [ $(( $1 % 2 )) = 0 ] && [ ${#VARIANTS[@]} = 2 ]; then echo "${VARIANTS[1]} ${VARIANTS[0]}"; else echo "${VARIANTS[*]}"; fi; }

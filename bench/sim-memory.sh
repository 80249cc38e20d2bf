#!/usr/bin/env bash
# Sim memory (BENCHMARKS.md §5, the sim's side): the wechat-sim heap retained per user at broadcast
# scale, measured in one JVM with the sim's own state classes (the HTTP layer keeps nothing per
# user): USERS users with one form_id minted each, then one template send delivered to each;
# heap in use after a full GC (System.gc(), twice) before, after minting and after delivering.
# Needs only the wechat-sim jar: no Kafka, Redis or wrk. bench/java/io/wxpush/sim/SimMemory.java,
# compiled against the jar (it reaches the sim's package-private classes).
#
#   bench/sim-memory.sh [users=1000000]      QUICK=1: 100,000 users
#   env: JAVA_OPTS (default -XX:+UseG1GC -Xmx2g)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
cd "$ROOT"
say() { echo "bench: $*" >&2; }
source "$ROOT/scripts/lib/common.sh"
use_java
USERS=${1:-1000000}
[ -n "${QUICK:-}" ] && USERS=100000
SIM_JAR=wechat-sim/target/wechat-sim.jar
ensure_jars "$SIM_JAR"
compile_java "$BENCH/.build" io/wxpush/sim/SimMemory.class "$SIM_JAR" "$BENCH/java/io/wxpush/sim/SimMemory.java" "$SIM_JAR"
say "$USERS users, one form_id each, then one delivery each"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
"$JAVA" ${JAVA_OPTS:--XX:+UseG1GC -Xmx2g} -cp "$BENCH/.build:$SIM_JAR" io.wxpush.sim.SimMemory "$USERS"

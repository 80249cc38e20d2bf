#!/usr/bin/env bash
# Where the CPU and the allocations go (BENCHMARKS.md §11): runs a role's benchmark with JDK Flight Recorder
# attached to every JVM it starts (settings=profile, dumped when the process is stopped) and
# prints, per process, the top frames by CPU samples (`jfr view hot-methods`) and the top classes
# by allocation (`jfr view allocation-by-class`).
#   bench/profile.sh push [users=20000] [latency_ms=50]   one broadcast: the fan-out and one sender
#     (WARM=1, the default: after one unmeasured broadcast in the same processes, see bench/broadcast.sh)
#   bench/profile.sh ingest [duration=20s] [connections=128]   bench/ingest.sh's upload load on ingest-api
#   bench/profile.sh sink [users=100000] [per_user=3]   bench/sink.sh's credentials worker (1 run, warm)
#   env: TOP (10) rows per view (bench/jfr-breakdown.py prints the CPU by library); KEEP_WORK=1 keeps the recordings (the scratch dir is printed)
source "$(dirname "$0")/lib.sh"
ROLE=${1:?usage: bench/profile.sh push|ingest|sink [args]}
shift || true
TOP=${TOP:-10}
OUT="$WORK/profile"
mkdir -p "$OUT"
# CPU-time sampling (JDK 25, jdk.CPUTimeSample) sees kernel time and every thread, where the
# execution sampler sees Java code only.
JFR_OPTS="-XX:StartFlightRecording=settings=profile,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=2ms,dumponexit=true,filename=$OUT"
case "$ROLE" in
  push)
    source "$BENCH/broadcast.sh"
    USERS=${1:-20000}; LATENCY=${2:-50}
    ensure_tool
    start_sim "$LATENCY"
    export WORKER_JAVA_OPTS="$JFR_OPTS/%n.jfr"
    # WARM=1 (default): the same processes run an unmeasured broadcast first and only samples
    # taken after it are broken down (the JIT's work on a cold JVM is not the steady state's)
    export BC_WARM=${WARM:-1}
    mark_warm() { date -u +%Y-%m-%dT%H:%M:%S.%NZ >"$OUT/since"; }
    BC_AFTER_WARM=mark_warm
    broadcast "profile" "$USERS" 1
    say "broadcast: $BC_SENT sent in $BC_ELAPSED s = $BC_RATE sends/s; $BC_CPU"
    ;;
  ingest)
    JAVA_OPTS="$JFR_OPTS/ingest-%p.jfr" "$BENCH/ingest.sh" "${1:-20s}" "${2:-128}"
    ;;
  sink)
    # bench/sink.sh's worker (WORKER_JAR for another build); warm: samples from when its clock starts
    SINK_MARK="$OUT/since" JAVA_OPTS="$JFR_OPTS/sink-%p.jfr" RUNS=1 "$BENCH/sink.sh" "${1:-100000}" "${2:-3}"
    ;;
  *) echo "bench/profile.sh: unknown role $ROLE (push, ingest or sink)" >&2; exit 2 ;;
esac
sleep 1
for f in "$OUT"/*.jfr; do
  [ -s "$f" ] || continue
  echo
  echo "== $(basename "$f" .jfr): top frames by CPU samples"
  "$JAVA_HOME/bin/jfr" view --width 180 hot-methods "$f" | sed -n "1,$((TOP + 6))p"
  echo "== $(basename "$f" .jfr): top classes by allocation"
  "$JAVA_HOME/bin/jfr" view --width 180 allocation-by-class "$f" | sed -n "1,$((TOP + 6))p"
  echo "== $(basename "$f" .jfr): CPU by library, leaf frame, wxpush frame and thread"
  "$JAVA_HOME/bin/jfr" print --json --stack-depth 64 --events jdk.CPUTimeSample,jdk.ExecutionSample "$f" \
    | python3 "$BENCH/jfr-breakdown.py" "$TOP" "$(cat "$OUT/since" 2>/dev/null)"
done
echo
echo "recordings: $OUT"

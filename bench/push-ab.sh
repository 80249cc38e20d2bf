#!/usr/bin/env bash
# Push benchmark, side by side: the same broadcast (USERS users, one form_id each, LATENCY ms per
# send at wechat-sim) with the fan-out and one sender worker from this build and both from
# BASELINE_JAR (another push-worker jar, e.g. main's), alternating which goes first in every run,
# RUNS runs. ingest-api and the sim are this build's in both. Prints sends/s, the sender's, the
# fan-out's and every process's CPU per 1,000 sends for each, and the new÷baseline ratios (median
# of the per-run ratios).
#
#   BASELINE_JAR=/path/to/push-worker.jar bench/push-ab.sh [users=100000] [latency_ms=50]
#   env: RUNS (3), SENDER_CONCURRENCY (1024), SENDER_CONSUMERS (4), WARM (1: each broadcast's
#        processes first run one unmeasured broadcast of the same users, so the figures are a warm
#        JVM's, see BC_WARM in bench/broadcast.sh; 0: cold processes, the JIT's CPU included),
#        WARMUP (20000, with WARM=0 only: users of one unmeasured broadcast per variant first, so
#        neither meets a cold sim or broker)
source "$(dirname "$0")/lib.sh"
source "$BENCH/broadcast.sh"
USERS=${1:-100000}; LATENCY=${2:-50}; RUNS=${RUNS:-3}
[ -n "${BASELINE_JAR:-}" ] && [ -f "$BASELINE_JAR" ] || { say "BASELINE_JAR must name another push-worker jar"; exit 2; }
VARIANTS=(base new)
ensure_tool
start_sim "$LATENCY"
say "sim $SIM latency ${LATENCY}ms; $USERS users; baseline $BASELINE_JAR"

: >"$WORK/new.tsv"; : >"$WORK/base.tsv"
export BC_WARM=${WARM:-1}
[ "$BC_WARM" = 1 ] && WARMUP=0 # each broadcast warms its own processes (and the sim and broker)
if [ "${WARMUP:-20000}" -gt 0 ]; then
  SENDER_JAR=$BASELINE_JAR FANOUT_JAR=$BASELINE_JAR broadcast warmbase "${WARMUP:-20000}" 1
  SENDER_JAR= broadcast warmnew "${WARMUP:-20000}" 1
  say "warm-up: base and new, ${WARMUP:-20000} users each"
fi
field() { echo "$BC_CPU" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
for run in $(seq "$RUNS"); do
  for v in $(run_order "$run"); do
    if [ "$v" = base ]; then SENDER_JAR=$BASELINE_JAR FANOUT_JAR=$BASELINE_JAR broadcast "ab${run}$v" "$USERS" 1
    else SENDER_JAR= broadcast "ab${run}$v" "$USERS" 1; fi
    echo "$BC_RATE $(field sender1) $(field total) $(field fanout)" >>"$WORK/$v.tsv"
    say "run $run $v: $BC_SENT sent in $BC_ELAPSED s = $BC_RATE sends/s [$BC_CPU]"
    case "$BC_STATUS" in *'"pending":0'*) ;; *) say "  status $BC_STATUS" ;; esac
  done
done
for v in base new; do
  printf 'RESULT push-%s sends/s=%s sender_cpu_ms_per_1k=%s fanout_cpu_ms_per_1k=%s total_cpu_ms_per_1k=%s (median of %d runs)\n' "$v" \
    "$(cut -d' ' -f1 "$WORK/$v.tsv" | median)" "$(cut -d' ' -f2 "$WORK/$v.tsv" | median)" "$(cut -d' ' -f4 "$WORK/$v.tsv" | median)" \
    "$(cut -d' ' -f3 "$WORK/$v.tsv" | median)" "$RUNS"
done
printf 'RESULT push-ab new/base: sends/s x%s, sender CPU per send x%s, fan-out CPU per task x%s, total CPU per send x%s (median of per-run ratios, %d users, %d ms, warm=%s)\n' \
  "$(per_run_ratio 1)" "$(per_run_ratio 2)" "$(per_run_ratio 4)" "$(per_run_ratio 3)" "$USERS" "$LATENCY" "$BC_WARM"

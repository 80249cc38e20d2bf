#!/usr/bin/env bash
# Memory benchmark (issue 8 §5): heap-after-GC high-water of the fan-out worker and of the sender
# worker during a broadcast to SMALL users and to LARGE users (sim latency 0), read from each
# JVM's -Xlog:gc (the largest "after" figure of any collection; not committed heap). Same JVM
# flags for both sizes (-Xmx512m, G1). Flat means the two high-waters within 10 %.
#
#   bench/memory.sh [small=100000] [large=1000000]     QUICK=1 bench/memory.sh  (10k vs 100k)
#   env: RUNS (1: a 1M broadcast takes minutes here), SENDER_CONCURRENCY (1024), SENDER_CONSUMERS (4)
source "$(dirname "$0")/lib.sh"
source "$BENCH/broadcast.sh"
SMALL=${1:-100000}; LARGE=${2:-1000000}; RUNS=${RUNS:-1}
if [ -n "${QUICK:-}" ]; then SMALL=10000; LARGE=100000; fi
ensure_tool
start_sim 0
WORKER_JAVA_OPTS="-Xmx512m -XX:+UseG1GC -Xlog:gc:file=$WORK/%n.gc.log:uptime"
export JOIN_WAIT=3

# The largest heap-after-GC of a -Xlog:gc file, in MiB ("... 120M->31M(256M) ...").
after_gc_max() {
  grep -oE '[0-9]+[KMG]->[0-9]+[KMG]\(' "$1" | sed -E 's/.*->([0-9]+)([KMG]).*/\1 \2/' \
    | awk '{v=$1; if ($2=="K") v/=1024; if ($2=="G") v*=1024; if (v>m) m=v} END {printf "%.1f", m}'
}
gc_count() { grep -c 'Pause' "$1" || true; }

: >"$WORK/mem.tsv"
for run in $(seq "$RUNS"); do
  line=""
  for size in "$SMALL" "$LARGE"; do
    tag=mem${run}n$size
    broadcast "$tag" "$size" 1
    f=$(after_gc_max "$WORK/$tag-fanout.gc.log"); s=$(after_gc_max "$WORK/$tag-sender1.gc.log")
    line+="$f $s "
    printf 'run %d, %d users: %s sent in %s s (%s sends/s) | fan-out heap-after-GC max %s MiB (%s GCs) | sender %s MiB (%s GCs)\n' \
      "$run" "$size" "$BC_SENT" "$BC_ELAPSED" "$BC_RATE" "$f" "$(gc_count "$WORK/$tag-fanout.gc.log")" "$s" "$(gc_count "$WORK/$tag-sender1.gc.log")"
  done
  echo "$line" >>"$WORK/mem.tsv"
done
fs=$(cut -d' ' -f1 "$WORK/mem.tsv" | median); ss=$(cut -d' ' -f2 "$WORK/mem.tsv" | median)
fl=$(cut -d' ' -f3 "$WORK/mem.tsv" | median); sl=$(cut -d' ' -f4 "$WORK/mem.tsv" | median)
printf 'RESULT memory fanout MiB %s users=%s %s users=%s growth=%+.1f%% | sender MiB %s users=%s %s users=%s growth=%+.1f%%  (median of %d runs, -Xmx512m)\n' \
  "$SMALL" "$fs" "$LARGE" "$fl" "$(echo "($fl/$fs - 1)*100" | bc -l)" "$SMALL" "$ss" "$LARGE" "$sl" "$(echo "($sl/$ss - 1)*100" | bc -l)" "$RUNS"

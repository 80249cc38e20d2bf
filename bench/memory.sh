#!/usr/bin/env bash
# Memory benchmark (BENCHMARKS.md §5): heap high-water of the fan-out worker and of the sender worker
# during a broadcast to SMALL users and to LARGE users (sim latency 0), read from each JVM's
# -Xlog:gc. Two figures per JVM:
#  - live heap high-water: every LIVE_EVERY s (5) during the broadcast, `jcmd GC.run` forces a
#    full collection in both JVMs; its "after" figure is exactly what the process retains at that
#    moment. The largest of these is the figure the target is judged on;
#  - the largest "after" figure of any collection (young ones included), which also counts
#    old-generation garbage G1 has not yet reclaimed, so it mostly tracks when marking starts.
# Same JVM flags for both sizes (-Xmx512m, G1). Flat means the two high-waters within 10 %.
#
#   bench/memory.sh [small=100000] [large=1000000]     QUICK=1 bench/memory.sh  (10k vs 100k)
#   env: RUNS (1: a 1M broadcast takes minutes here), SENDER_CONCURRENCY (1024), SENDER_CONSUMERS (4),
#        HISTO=1: each probe takes a live-object class histogram instead (its own full GC; the
#        files are $WORK/<run>-{fanout,sender1}-histo-<s>.txt; the largest is compared at the end)
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
# The largest heap after a forced full collection (jcmd GC.run: "Pause Full (Diagnostic Command)"), in MiB.
live_max() { grep 'Pause Full' "$1" | after_gc_max /dev/stdin; }

LIVE_EVERY=${LIVE_EVERY:-5}
LAST_PROBE=0
live_probe() { # BC_ON_POLL hook: a full GC in the fan-out and the sender every LIVE_EVERY s
  (( SECONDS - LAST_PROBE >= LIVE_EVERY )) || return 0
  LAST_PROBE=$SECONDS
  local pair
  for pair in $BC_PIDS; do
    case $pair in
      fanout=*|sender1=*)
        if [ -n "${HISTO:-}" ]; then # the histogram's own full collection stands in for GC.run
          "$JAVA_HOME/bin/jcmd" "${pair#*=}" GC.class_histogram >"$WORK/$tag-${pair%%=*}-histo-$SECONDS.txt" 2>&1 &
        else
          "$JAVA_HOME/bin/jcmd" "${pair#*=}" GC.run >/dev/null 2>&1 &
        fi ;;
    esac
  done
}
BC_ON_POLL=live_probe

: >"$WORK/mem.tsv"
for run in $(seq "$RUNS"); do
  line=""
  for size in "$SMALL" "$LARGE"; do
    tag=mem${run}n$size
    LAST_PROBE=0
    broadcast "$tag" "$size" 1
    fg="$WORK/$tag-fanout.gc.log"; sg="$WORK/$tag-sender1.gc.log"
    f=$(live_max "$fg"); s=$(live_max "$sg")
    line+="$f $s $(after_gc_max "$fg") $(after_gc_max "$sg") "
    printf 'run %d, %d users: %s sent in %s s (%s sends/s) | fan-out live max %s MiB (%s probes; any-GC max %s) | sender live max %s MiB (%s probes; any-GC max %s, %s GCs)\n' \
      "$run" "$size" "$BC_SENT" "$BC_ELAPSED" "$BC_RATE" "$f" "$(grep -c 'Pause Full' "$fg" || true)" "$(after_gc_max "$fg")" \
      "$s" "$(grep -c 'Pause Full' "$sg" || true)" "$(after_gc_max "$sg")" "$(gc_count "$sg")"
    if [ -n "${HISTO:-}" ]; then
      for role in fanout sender1; do
        # the histogram with the most live bytes ("Total <instances> <bytes>" is its last line)
        top=$(for h in "$WORK/$tag-$role"-histo-*.txt; do [ -s "$h" ] && echo "$(awk '/^Total/ {print $3}' "$h") $h"; done | sort -n | tail -1 | cut -d' ' -f2)
        [ -n "$top" ] || continue
        echo "  $role, $size users: largest live histogram ($top), top classes by bytes:"
        sed -n '3,14p' "$top" | sed 's/^/    /'
      done
    fi
  done
  echo "$line" >>"$WORK/mem.tsv"
done
col() { cut -d' ' -f"$1" "$WORK/mem.tsv" | median; }
growth() { echo "($2/$1 - 1)*100" | bc -l; }
fs=$(col 1); ss=$(col 2); fa=$(col 3); sa=$(col 4); fl=$(col 5); sl=$(col 6); fla=$(col 7); sla=$(col 8)
printf 'RESULT memory live-heap high-water: fanout %s users=%s MiB %s users=%s MiB growth=%+.1f%% | sender %s MiB -> %s MiB growth=%+.1f%%  (median of %d runs, -Xmx512m)\n' \
  "$SMALL" "$fs" "$LARGE" "$fl" "$(growth "$fs" "$fl")" "$ss" "$sl" "$(growth "$ss" "$sl")" "$RUNS"
printf 'RESULT memory any-GC after max: fanout %s -> %s MiB growth=%+.1f%% | sender %s -> %s MiB growth=%+.1f%%\n' \
  "$fa" "$fla" "$(growth "$fa" "$fla")" "$sa" "$sla" "$(growth "$sa" "$sla")"

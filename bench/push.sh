#!/usr/bin/env bash
# Push benchmark (BENCHMARKS.md §3): sends/s end to end for a broadcast to USERS users against wechat-sim
# with LATENCY ms per send, with one sender worker and then two (fan-out in its own worker), side
# by side with the original article's loop (one thread, one user after another, LRANGE + LTRIM on
# a Redis list of formIds per user, HTTP send) on a sample of users against the same sim. Then the
# sim's own capacity at zero latency (wechat-sim/bench/sim-throughput.sh). Median of RUNS.
#
#   bench/push.sh [users=100000] [latency_ms=50]       QUICK=1 bench/push.sh  (~1-2 min)
#   env: RUNS (3), ARTICLE_USERS (200), SENDER_CONCURRENCY (1024), SENDER_CONSUMERS (4),
#        WORKERS ("1 2"), SKIP_LIMIT=1 to leave out the sim capacity run
source "$(dirname "$0")/lib.sh"
source "$BENCH/broadcast.sh"
USERS=${1:-100000}; LATENCY=${2:-50}; RUNS=${RUNS:-3}; ARTICLE_USERS=${ARTICLE_USERS:-200}; WORKERS=${WORKERS:-1 2}
if [ -n "${QUICK:-}" ]; then USERS=10000; ARTICLE_USERS=40; RUNS=${RUNS_QUICK:-1}; SKIP_LIMIT=1; fi
ensure_tool
start_sim "$LATENCY"
say "sim $SIM latency ${LATENCY}ms; $USERS users; SENDER_CONCURRENCY=$SENDER_CONCURRENCY SENDER_CONSUMERS=$SENDER_CONSUMERS"

: >"$WORK/push.tsv"
for run in $(seq "$RUNS"); do
  new_prefixes "article$run"
  mint_formids "$ARTICLE_USERS" 1 "$WORK/article.formids" 9000000
  article=$(tool article "$REDIS_HOST" "$REDIS_PORT" "$KEY_PREFIX" "$SIM" "$APP" "$SECRET" TPL_BENCH "$WORK/article.formids" \
    | awk '/^RESULT/ {sub(/.*sends_per_s=/, ""); print}')
  line="$article"
  msg="run $run: article loop $article sends/s ($ARTICLE_USERS users)"
  for w in $WORKERS; do
    broadcast "push${run}w$w" "$USERS" "$w"
    line+=" $BC_RATE"
    msg+=" | $w sender worker(s): $BC_SENT sent in $BC_ELAPSED s = $BC_RATE sends/s, ×$(ratio "$BC_RATE" "$article") article"
    msg+=" [$BC_CPU]"
    case "$BC_STATUS" in *'"failed":0'*'"pending":0'*|*'"pending":0'*'"failed":0'*) ;; *) msg+=" (status $BC_STATUS)" ;; esac
  done
  echo "$line" >>"$WORK/push.tsv"
  echo "$msg"
done

article=$(cut -d' ' -f1 "$WORK/push.tsv" | median)
col=2
for w in $WORKERS; do
  rate=$(cut -d' ' -f$col "$WORK/push.tsv" | median)
  r=$(awk -v c=$col '{printf "%.2f\n", $c/$1}' "$WORK/push.tsv" | median)
  printf 'RESULT push workers=%s sends/s=%.0f per_worker=%.0f | article loop sends/s=%.2f | ratio=%.0f  (median of %d runs, %d users, %d ms latency, SENDER_CONCURRENCY=%s SENDER_CONSUMERS=%s)\n' \
    "$w" "$rate" "$(echo "$rate / $w" | bc -l)" "$article" "$r" "$RUNS" "$USERS" "$LATENCY" "$SENDER_CONCURRENCY" "$SENDER_CONSUMERS"
  col=$((col + 1))
done

if [ -z "${SKIP_LIMIT:-}" ]; then
  stop_process "$SIM_PID"
  say "sim capacity at zero latency (wechat-sim/bench/sim-throughput.sh 10s 64 2)"
  wechat-sim/bench/sim-throughput.sh 10s 64 2 | grep RESULT | sed 's/^RESULT/RESULT limit/'
fi

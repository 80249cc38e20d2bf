#!/usr/bin/env bash
# Redis Cluster pipelines: wall and CPU time per pipeline sync that spans the three masters of
# scripts/cluster.sh, with Jedis's own ClusterPipeline executor (a thread pool started and shut
# down per sync) against RedisConnections.pipelined (one shared virtual-thread executor), side by
# side in one JVM, alternating. Starts the cluster if it is not running (and leaves it running).
#
#   bench/cluster-pipelines.sh [syncs=5000] [keys_per_sync=32] [rounds=3]
source "$(dirname "$0")/lib.sh"
SYNCS=${1:-5000}; KEYS=${2:-32}; ROUNDS=${3:-3}
ensure_tool
scripts/cluster.sh start >/dev/null
eval "$(scripts/cluster.sh env)"
say "cluster $REDIS_URL; $SYNCS syncs of $KEYS INCRs, $ROUNDS rounds"
tool cluster-pipelines "$REDIS_URL" "$SYNCS" "$KEYS" "$ROUNDS" | tee "$WORK/cp.txt"
col() { sed -E "s/.*ratio wall ([0-9.]+) CPU ([0-9.]+).*/\\$1/" "$WORK/cp.txt" | median; }
printf 'RESULT cluster-pipelines shared÷jedis-own wall=%s cpu=%s per sync (median of %d rounds, %d syncs of %d keys over 3 masters)\n' \
  "$(col 1)" "$(col 2)" "$ROUNDS" "$SYNCS" "$KEYS"

#!/usr/bin/env bash
# The test command: starts Kafka and Redis when they are not running (scripts/services.sh),
# runs every test (Maven unit + integration tests, and the mini-program client's Node tests),
# then the scale-out scenario on a three-broker Kafka cluster and a Redis Cluster
# (scripts/cluster.sh test: RELIABILITY.md scenario 5), stops what it started, and exits
# non-zero on any failure.
#
# Extra arguments go to Maven, e.g. scripts/test.sh -pl common -Dit.test=KafkaRoundTripIT; with
# them the cluster scenario is left out. WXPUSH_CLUSTER_TEST=0 leaves it out of a full run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
source scripts/lib/common.sh
use_java

started=no
if ! scripts/services.sh status >/dev/null 2>&1; then
  scripts/services.sh start
  started=yes
fi
cleanup() { [ "$started" = yes ] && scripts/services.sh stop || true; }
trap cleanup EXIT

eval "$(scripts/services.sh env)"
export KAFKA_BOOTSTRAP_SERVERS REDIS_URL

# ClusterScenariosIT runs against scripts/cluster.sh below, not against these services (a shell
# that evaluated 'scripts/cluster.sh env' must not point the single-broker run at it).
unset WXPUSH_CLUSTER_SCRIPT KAFKA_REPLICATION_FACTOR

echo "test: JAVA_HOME=$JAVA_HOME KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS REDIS_URL=$REDIS_URL"
./mvnw -B -ntp verify "$@"

if [ -d miniprogram-client/test ]; then
  command -v node >/dev/null || { echo "test: node is needed for the mini-program client's tests (apt-get install nodejs)" >&2; exit 1; }
  node --test miniprogram-client/test/
fi

if [ $# -eq 0 ] && [ "${WXPUSH_CLUSTER_TEST:-1}" != 0 ]; then
  cleanup # the single broker and server are not needed any more: leave the CPU to the cluster
  started=no
  scripts/cluster.sh test -Dit.test=ClusterScenariosIT
fi

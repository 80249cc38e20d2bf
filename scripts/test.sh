#!/usr/bin/env bash
# The test command: starts Kafka and Redis when they are not running (scripts/services.sh),
# runs every test (Maven unit + integration tests, and the mini-program client's Node tests),
# stops what it started, and exits non-zero on any failure.
#
# Extra arguments go to Maven, e.g. scripts/test.sh -pl common -Dit.test=KafkaRoundTripIT
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
source scripts/lib/java.sh

started=no
if ! scripts/services.sh status >/dev/null 2>&1; then
  scripts/services.sh start
  started=yes
fi
cleanup() { [ "$started" = yes ] && scripts/services.sh stop || true; }
trap cleanup EXIT

eval "$(scripts/services.sh env)"
export KAFKA_BOOTSTRAP_SERVERS REDIS_URL

echo "test: JAVA_HOME=$JAVA_HOME KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS REDIS_URL=$REDIS_URL"
./mvnw -B -ntp verify "$@"

if [ -d miniprogram-client/test ]; then
  command -v node >/dev/null || { echo "test: node is needed for the mini-program client's tests (apt-get install nodejs)" >&2; exit 1; }
  node --test miniprogram-client/test/
fi

#!/usr/bin/env bash
# The test command: starts Kafka and Redis when they are not running (scripts/services.sh),
# installs what the console's browser tests need (Debian's chromium and fonts-noto-cjk, console-tests' npm packages),
# runs every test (Maven unit + integration tests, the browser tests among them, and the
# mini-program client's Node tests),
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

# The console's browser tests (system-tests ConsoleBrowserIT): Debian's chromium, driven by
# playwright-core from the npm registry (console-tests/package-lock.json); no browser download.
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing Debian's chromium for the console's browser tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
  else
    echo "test: the console's browser tests need Debian's chromium (sudo apt-get install chromium)" >&2
    exit 1
  fi
fi
# A CJK font, so the Chinese console renders (and its screenshots in docs/images show) characters,
# not boxes: Debian's Noto CJK, from the same place as chromium.
if ! fc-list :lang=zh-cn family 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing Debian's fonts-noto-cjk for the console's Chinese pages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq fonts-noto-cjk >/dev/null; }
  else
    echo "test: no CJK font: the console's screenshots will show boxes for Chinese (sudo apt-get install fonts-noto-cjk)" >&2
  fi
fi
if [ ! -d console-tests/node_modules/playwright-core ]; then
  command -v npm >/dev/null || { echo "test: npm is needed for the console's browser tests (apt-get install npm)" >&2; exit 1; }
  (cd console-tests && npm ci --no-audit --no-fund --loglevel=error)
fi

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

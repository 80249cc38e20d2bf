#!/usr/bin/env bash
# Runs the services wxpush needs on loopback, without Docker:
#   Redis from Debian's redis-server (AOF on), a Kafka 4.x broker in KRaft mode from Maven Central.
#
#   scripts/services.sh start     start what is not running, wait until each accepts connections
#   scripts/services.sh stop      stop exactly the processes this script started (by PID)
#   scripts/services.sh status    say what runs; exit 0 only when both do
#   scripts/services.sh start-kafka | stop-kafka | kill-kafka | restart-kafka
#   scripts/services.sh start-redis | stop-redis | restart-redis
#                                 (fault tests; with WXPUSH_STATE_DIR and WXPUSH_KAFKA_PORT or
#                                 WXPUSH_REDIS_PORT set they run private servers beside the shared ones)
#   scripts/services.sh env       print KAFKA_BOOTSTRAP_SERVERS / REDIS_URL to eval
#
# Ports: WXPUSH_KAFKA_PORT (9092; the controller takes the next one), WXPUSH_REDIS_PORT (6379).
# State and logs: .wxpush/services/ under the repository (git-ignored), or WXPUSH_STATE_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${WXPUSH_STATE_DIR:-$ROOT/.wxpush/services}
KAFKA_PORT=${WXPUSH_KAFKA_PORT:-9092}
CONTROLLER_PORT=$((KAFKA_PORT + 1))
REDIS_PORT=${WXPUSH_REDIS_PORT:-6379}
KAFKA_DIR=$STATE/kafka
REDIS_DIR=$STATE/redis
KAFKA_LIB=$ROOT/.wxpush/kafka-lib
KAFKA_HEAP=${WXPUSH_KAFKA_HEAP:-1g}

say() { echo "services: $*" >&2; }

source "$ROOT/scripts/lib/common.sh" # use_java, port_open, wait_port, start_bg, alive, stop_pid, kill_pid, resolve_deps, write_kafka_properties

# ---------------------------------------------------------------- Redis
ensure_redis_installed() {
  command -v redis-server >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "redis-server is not installed; install Debian's package (sudo apt-get install redis-server) and run again"
    exit 1
  fi
  say "installing redis-server from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # policy-rc.d keeps the package from starting a system-wide Redis on our port.
  local policy=/usr/sbin/policy-rc.d created_policy=no
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created_policy=yes; fi
  apt-get install -y -qq redis-server >/dev/null
  [ "$created_policy" = yes ] && rm -f "$policy"
  command -v redis-server >/dev/null || { say "redis-server install failed"; exit 1; }
}

start_redis() {
  if alive "$REDIS_DIR/redis.pid" redis-server; then say "redis already running on port $REDIS_PORT"; return 0; fi
  ensure_redis_installed
  if port_open "$REDIS_PORT"; then
    say "port $REDIS_PORT is taken by a process this script did not start; stop it or set WXPUSH_REDIS_PORT"
    exit 1
  fi
  mkdir -p "$REDIS_DIR"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" \
    --appendonly yes --appendfsync everysec --save "" \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null
  wait_port "$REDIS_PORT" redis 20
  wait_pidfile "$REDIS_DIR/redis.pid" # daemonize writes it a moment after the port opens
  say "redis running on port $REDIS_PORT (AOF on, data in $REDIS_DIR)"
}

# ---------------------------------------------------------------- Kafka

write_kafka_config() { # one node, one replica of everything (scripts/lib/common.sh writes the file)
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  write_kafka_properties "$KAFKA_DIR/server.properties" 1 "1@127.0.0.1:$CONTROLLER_PORT" "$KAFKA_PORT" "$CONTROLLER_PORT" \
    "$KAFKA_DIR/data" 1 1
}

start_kafka() {
  if alive "$KAFKA_DIR/kafka.pid" kafka.Kafka; then say "kafka already running on port $KAFKA_PORT"; return 0; fi
  if port_open "$KAFKA_PORT" || port_open "$CONTROLLER_PORT"; then
    say "port $KAFKA_PORT or $CONTROLLER_PORT is taken by a process this script did not start; stop it or set WXPUSH_KAFKA_PORT"
    exit 1
  fi
  resolve_deps "the Kafka broker" "$ROOT/scripts/kafka-broker/pom.xml" "$KAFKA_LIB"
  write_kafka_config
  local cp="$KAFKA_LIB/*"
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java -Dlog4j2.configurationFile="$ROOT/scripts/kafka-broker/log4j2.properties" -Dkafka.logs.dir="$KAFKA_DIR/logs" \
      -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/format.log" 2>&1 \
      || { say "formatting Kafka storage failed; see $KAFKA_DIR/logs/format.log"; exit 1; }
  fi
  start_bg "$KAFKA_DIR/kafka.pid" "$KAFKA_DIR/logs/stdout.log" java -Xms256m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$ROOT/scripts/kafka-broker/log4j2.properties" -Dkafka.logs.dir="$KAFKA_DIR/logs" \
    -cp "$cp" kafka.Kafka "$KAFKA_DIR/server.properties"
  if ! wait_port "$KAFKA_PORT" kafka 90; then
    say "see $KAFKA_DIR/logs/server.log"
    exit 1
  fi
  say "kafka running on port $KAFKA_PORT (KRaft, logs in $KAFKA_DIR/logs)"
}

# ---------------------------------------------------------------- commands
status() {
  local ok=0
  if alive "$REDIS_DIR/redis.pid" redis-server; then echo "redis: running (pid $(cat "$REDIS_DIR/redis.pid"), port $REDIS_PORT)"; else echo "redis: stopped"; ok=1; fi
  if alive "$KAFKA_DIR/kafka.pid" kafka.Kafka; then echo "kafka: running (pid $(cat "$KAFKA_DIR/kafka.pid"), port $KAFKA_PORT)"; else echo "kafka: stopped"; ok=1; fi
  return $ok
}

case "${1:-}" in
  start)
    use_java
    start_redis
    start_kafka
    ;;
  stop)
    stop_pid "$KAFKA_DIR/kafka.pid" kafka.Kafka kafka
    stop_pid "$REDIS_DIR/redis.pid" redis-server redis
    ;;
  status) status ;;
  start-kafka)
    use_java
    start_kafka
    ;;
  stop-kafka) stop_pid "$KAFKA_DIR/kafka.pid" kafka.Kafka kafka ;;
  kill-kafka) # a crash: SIGKILL, no clean shutdown (fault tests)
    if kill_pid "$KAFKA_DIR/kafka.pid" kafka.Kafka; then say "kafka killed"; fi
    ;;
  restart-kafka)
    use_java
    stop_pid "$KAFKA_DIR/kafka.pid" kafka.Kafka kafka
    start_kafka
    ;;
  restart-redis)
    stop_pid "$REDIS_DIR/redis.pid" redis-server redis
    start_redis
    ;;
  start-redis) start_redis ;;
  stop-redis) stop_pid "$REDIS_DIR/redis.pid" redis-server redis ;;
  env)
    echo "export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT"
    echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    ;;
  *)
    echo "usage: $0 start|stop|status|env|start-kafka|stop-kafka|kill-kafka|restart-kafka|start-redis|stop-redis|restart-redis" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# A scale-out test bed on loopback, without Docker (RELIABILITY.md, scenario 5):
#   - a Kafka 4.x KRaft cluster of three nodes, each broker and controller (a three-voter quorum),
#     default.replication.factor=3 and min.insync.replicas=2, the internal topics (offsets,
#     transactions, share-group state) replicated 3 times with min ISR 2;
#   - a Redis Cluster of three masters (no replicas) from Debian's redis-server, AOF on.
#
#   scripts/cluster.sh start            start what is not running; wait until Kafka has three brokers
#                                       and the Redis Cluster answers cluster_state:ok
#   scripts/cluster.sh stop             stop exactly the processes this script started (by PID)
#   scripts/cluster.sh clean            stop, then delete the state dir (all topics, keys and logs)
#   scripts/cluster.sh status           say what runs; exit 0 only when all six do
#   scripts/cluster.sh env              print the variables to eval (KAFKA_BOOTSTRAP_SERVERS, REDIS_URL,
#                                       KAFKA_REPLICATION_FACTOR, WXPUSH_CLUSTER_SCRIPT, ...)
#   scripts/cluster.sh kill-broker N    SIGKILL Kafka node N (1-3): a crash, no clean shutdown
#   scripts/cluster.sh stop-broker N    stop Kafka node N cleanly (SIGTERM)
#   scripts/cluster.sh start-broker N   start Kafka node N again on its data; wait until it is registered
#   scripts/cluster.sh wait-in-sync [S] wait up to S seconds (120) until no partition is under-replicated
#   scripts/cluster.sh test [MAVEN ARGS] start the cluster if needed, run the cluster scenario
#                                       (ClusterScenariosIT) and the credential and push tests on it,
#                                       stop what it started; extra arguments go to Maven
#
# Ports: Kafka brokers WXPUSH_CLUSTER_KAFKA_PORT..+2 (19092-19094), controllers the next three
# (19095-19097); Redis WXPUSH_CLUSTER_REDIS_PORT..+2 (17001-17003).
# State and logs: .wxpush-cluster/ under the repository (git-ignored), or WXPUSH_CLUSTER_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SELF="$ROOT/scripts/cluster.sh"
STATE=${WXPUSH_CLUSTER_DIR:-$ROOT/.wxpush-cluster}
KAFKA_BASE=${WXPUSH_CLUSTER_KAFKA_PORT:-19092}
REDIS_BASE=${WXPUSH_CLUSTER_REDIS_PORT:-17001}
KAFKA_LIB=$ROOT/.wxpush/kafka-lib
KAFKA_HEAP=${WXPUSH_KAFKA_HEAP:-512m}
NODES=(1 2 3)

say() { echo "cluster: $*" >&2; }

broker_port() { echo $((KAFKA_BASE + $1 - 1)); }
controller_port() { echo $((KAFKA_BASE + 3 + $1 - 1)); }
redis_port() { echo $((REDIS_BASE + $1 - 1)); }
kafka_dir() { echo "$STATE/kafka-$1"; }
redis_dir() { echo "$STATE/redis-$1"; }

bootstrap() { echo "127.0.0.1:$(broker_port 1),127.0.0.1:$(broker_port 2),127.0.0.1:$(broker_port 3)"; }
redis_url() { echo "redis-cluster://127.0.0.1:$(redis_port 1),127.0.0.1:$(redis_port 2),127.0.0.1:$(redis_port 3)"; }

STOP_WAIT_S=60 # a Kafka node may wait for its controller quorum before it stops
source "$ROOT/scripts/lib/common.sh" # use_java, compile_java, port_open, wait_port, start_bg, alive, stop_pid, kill_pid, resolve_deps, write_kafka_properties

check_node() {
  case "${1:-}" in 1 | 2 | 3) ;; *) say "node must be 1, 2 or 3, not '${1:-}'"; exit 2 ;; esac
}

# ---------------------------------------------------------------- Kafka

# compile_probe: scripts/kafka-broker/ClusterProbe.java into the state dir, against the broker's
# own client jars (again when the source changes)
compile_probe() {
  compile_java "$STATE/probe-classes" ClusterProbe.class "$KAFKA_LIB/*" "$ROOT/scripts/kafka-broker/ClusterProbe.java"
}

resolve_kafka() { resolve_deps "the Kafka broker" "$ROOT/scripts/kafka-broker/pom.xml" "$KAFKA_LIB"; }

# probe ARGS...: run ClusterProbe (see its usage)
probe() {
  compile_probe || exit 1
  java -Dlog4j2.configurationFile="$ROOT/scripts/kafka-broker/log4j2.properties" -Dkafka.logs.dir="$STATE/probe-logs" \
    -cp "$STATE/probe-classes:$KAFKA_LIB/*" ClusterProbe "$@"
}

write_kafka_config() { # node: three replicas, a write needs two (scripts/lib/common.sh writes the file)
  local n=$1 dir voters
  dir=$(kafka_dir "$n")
  voters="1@127.0.0.1:$(controller_port 1),2@127.0.0.1:$(controller_port 2),3@127.0.0.1:$(controller_port 3)"
  mkdir -p "$dir/data" "$dir/logs"
  write_kafka_properties "$dir/server.properties" "$n" "$voters" "$(broker_port "$n")" "$(controller_port "$n")" "$dir/data" 3 2
}

ensure_cluster_id() {
  mkdir -p "$STATE"
  [ -s "$STATE/kafka-cluster-id" ] && return 0
  java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1 >"$STATE/kafka-cluster-id"
  [ -s "$STATE/kafka-cluster-id" ] || { say "could not generate a Kafka cluster id"; exit 1; }
}

format_storage() { # node
  local n=$1 dir cluster_id
  dir=$(kafka_dir "$n")
  [ -f "$dir/data/meta.properties" ] && return 0
  ensure_cluster_id
  cluster_id=$(cat "$STATE/kafka-cluster-id")
  java -Dlog4j2.configurationFile="$ROOT/scripts/kafka-broker/log4j2.properties" -Dkafka.logs.dir="$dir/logs" \
    -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" >"$dir/logs/format.log" 2>&1 \
    || { say "formatting the storage of Kafka node $n failed; see $dir/logs/format.log"; exit 1; }
}

# launch_broker N: starts node N in the background unless it runs; does not wait
launch_broker() {
  local n=$1 dir
  dir=$(kafka_dir "$n")
  if alive "$dir/kafka.pid" kafka.Kafka; then say "kafka node $n already running on port $(broker_port "$n")"; return 0; fi
  if port_open "$(broker_port "$n")" || port_open "$(controller_port "$n")"; then
    say "port $(broker_port "$n") or $(controller_port "$n") is taken by a process this script did not start; stop it or set WXPUSH_CLUSTER_KAFKA_PORT"
    exit 1
  fi
  write_kafka_config "$n"
  format_storage "$n"
  start_bg "$dir/kafka.pid" "$dir/logs/stdout.log" java -Xms256m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$ROOT/scripts/kafka-broker/log4j2.properties" -Dkafka.logs.dir="$dir/logs" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$dir/server.properties"
}

start_kafka() {
  resolve_kafka
  ensure_cluster_id
  # compile the probe and format the nodes' storage side by side: each is a JVM start
  local n p pids=()
  compile_probe & pids+=($!)
  for n in "${NODES[@]}"; do
    alive "$(kafka_dir "$n")/kafka.pid" kafka.Kafka && continue
    (write_kafka_config "$n" && format_storage "$n") & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || exit 1; done
  for n in "${NODES[@]}"; do launch_broker "$n"; done
  for n in "${NODES[@]}"; do
    wait_port "$(broker_port "$n")" "kafka node $n" 120 || { say "see $(kafka_dir "$n")/logs/server.log"; exit 1; }
  done
  probe brokers "$(bootstrap)" 1,2,3 120 || { say "the three Kafka nodes did not form a cluster; see $STATE/kafka-*/logs/server.log"; exit 1; }
  say "kafka running: nodes 1-3 on ports $(broker_port 1)-$(broker_port 3) (controllers $(controller_port 1)-$(controller_port 3)), RF 3, min ISR 2"
}

start_broker() {
  local n=$1
  resolve_kafka
  launch_broker "$n"
  wait_port "$(broker_port "$n")" "kafka node $n" 120 || { say "see $(kafka_dir "$n")/logs/server.log"; exit 1; }
  probe brokers "$(bootstrap)" "$n" 120 || { say "kafka node $n did not register with the cluster; see $(kafka_dir "$n")/logs/server.log"; exit 1; }
  say "kafka node $n running on port $(broker_port "$n")"
}

kill_broker() {
  local n=$1
  if kill_pid "$(kafka_dir "$n")/kafka.pid" kafka.Kafka; then
    say "kafka node $n killed (SIGKILL)"
  else
    say "kafka node $n is not running: nothing to kill"
    exit 1
  fi
}

# ---------------------------------------------------------------- Redis
ensure_redis_installed() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  say "redis-server is not installed; 'scripts/services.sh start-redis' installs it (as root), or: sudo apt-get install redis-server"
  exit 1
}

start_redis_node() {
  local n=$1 dir port
  dir=$(redis_dir "$n"); port=$(redis_port "$n")
  if alive "$dir/redis.pid" redis-server; then return 0; fi
  if port_open "$port"; then
    say "port $port is taken by a process this script did not start; stop it or set WXPUSH_CLUSTER_REDIS_PORT"
    exit 1
  fi
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
    --appendonly yes --appendfsync everysec --save "" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  wait_port "$port" "redis node $n" 20
  wait_pidfile "$dir/redis.pid" # daemonize writes it a moment after the port opens
}

cluster_field() { # port field
  redis-cli -p "$1" cluster info 2>/dev/null | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'
}

start_redis() {
  ensure_redis_installed
  local n
  for n in "${NODES[@]}"; do start_redis_node "$n"; done
  if [ "$(cluster_field "$(redis_port 1)" cluster_slots_assigned)" != 16384 ]; then
    # a fresh cluster: no node holds slots yet
    for n in "${NODES[@]}"; do
      if [ "$(cluster_field "$(redis_port "$n")" cluster_slots_assigned)" != 0 ]; then
        say "redis node $n already holds slots but the cluster is not whole; 'scripts/cluster.sh clean' and start again"
        exit 1
      fi
    done
    say "creating the Redis Cluster (3 masters, no replicas)"
    redis-cli --cluster create "127.0.0.1:$(redis_port 1)" "127.0.0.1:$(redis_port 2)" "127.0.0.1:$(redis_port 3)" \
      --cluster-replicas 0 --cluster-yes >"$STATE/redis-cluster-create.log" 2>&1 \
      || { say "redis-cli --cluster create failed; see $STATE/redis-cluster-create.log"; exit 1; }
  fi
  local i ok
  for ((i = 0; i < 150; i++)); do
    ok=yes
    for n in "${NODES[@]}"; do
      [ "$(cluster_field "$(redis_port "$n")" cluster_state)" = ok ] && [ "$(cluster_field "$(redis_port "$n")" cluster_known_nodes)" = 3 ] || ok=no
    done
    [ "$ok" = yes ] && break
    sleep 0.2
  done
  if [ "$ok" != yes ]; then say "the Redis Cluster did not reach cluster_state:ok within 30 s; see $STATE/redis-*/redis.log"; exit 1; fi
  say "redis cluster running: 3 masters on ports $(redis_port 1)-$(redis_port 3) (AOF on, data in $STATE/redis-N)"
}

# ---------------------------------------------------------------- commands
status() {
  local ok=0 n
  for n in "${NODES[@]}"; do
    local f; f="$(kafka_dir "$n")/kafka.pid"
    if alive "$f" kafka.Kafka; then echo "kafka node $n: running (pid $(cat "$f"), port $(broker_port "$n"))"; else echo "kafka node $n: stopped"; ok=1; fi
  done
  for n in "${NODES[@]}"; do
    local f; f="$(redis_dir "$n")/redis.pid"
    if alive "$f" redis-server; then echo "redis node $n: running (pid $(cat "$f"), port $(redis_port "$n"), cluster_state $(cluster_field "$(redis_port "$n")" cluster_state))"; else echo "redis node $n: stopped"; ok=1; fi
  done
  return $ok
}

print_env() {
  echo "export KAFKA_BOOTSTRAP_SERVERS=$(bootstrap)"
  echo "export REDIS_URL=$(redis_url)"
  echo "export KAFKA_REPLICATION_FACTOR=3"
  echo "export WXPUSH_CLUSTER_SCRIPT=$SELF"
  echo "export WXPUSH_CLUSTER_DIR=$STATE"
  echo "export WXPUSH_CLUSTER_KAFKA_PORT=$KAFKA_BASE"
  echo "export WXPUSH_CLUSTER_REDIS_PORT=$REDIS_BASE"
}

stop_all() {
  local n
  # All Kafka nodes at once: a node stopped after the other two finds no controller quorum for
  # its controlled shutdown and waits for it until it is killed.
  for n in "${NODES[@]}"; do stop_pid "$(kafka_dir "$n")/kafka.pid" kafka.Kafka "kafka node $n" & done
  wait
  for n in "${NODES[@]}"; do stop_pid "$(redis_dir "$n")/redis.pid" redis-server "redis node $n"; done
}

running_count() {
  local n count=0
  for n in "${NODES[@]}"; do
    alive "$(kafka_dir "$n")/kafka.pid" kafka.Kafka && count=$((count + 1))
    alive "$(redis_dir "$n")/redis.pid" redis-server && count=$((count + 1))
  done
  echo "$count"
}

run_tests() {
  use_java
  local running; running=$(running_count)
  if [ "$running" = 0 ]; then
    # a cluster this run starts starts empty: state left by an earlier run (perhaps on other
    # ports, which a Redis node's nodes.conf remembers) must not decide the result
    rm -rf "$STATE"
    mkdir -p "$STATE"
    trap "'$SELF' stop" EXIT # stop what this run starts, however it ends
    start_kafka
    start_redis
  elif [ "$running" != 6 ]; then
    status >&2 || true
    say "the cluster runs only in part; 'scripts/cluster.sh start' (or stop) it first"
    exit 1
  fi
  eval "$(print_env)"
  local t0=$SECONDS
  echo "cluster test: KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS REDIS_URL=$REDIS_URL KAFKA_REPLICATION_FACTOR=$KAFKA_REPLICATION_FACTOR"
  # the scenario and the credential and push tests are in system-tests; -am builds the jars it
  # runs and the store tests of common (CredentialPoolIT, SendLedgerIT, Redis*IT) on the cluster
  (cd "$ROOT" && ./mvnw -B -ntp verify -pl system-tests -am \
    -Dit.test='ClusterScenariosIT,CredentialPathIT,PushPathIT,CredentialPoolIT,SendLedgerIT,RedisScriptIT,RedisBatcherIT' \
    -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false "$@")
  echo "cluster test: passed in $((SECONDS - t0)) s"
}

case "${1:-}" in
  start)
    use_java
    mkdir -p "$STATE"
    start_kafka
    start_redis
    ;;
  stop) stop_all ;;
  clean)
    stop_all
    rm -rf "$STATE"
    say "removed $STATE"
    ;;
  status) status ;;
  env) print_env ;;
  kill-broker) check_node "${2:-}"; kill_broker "$2" ;;
  stop-broker) check_node "${2:-}"; stop_pid "$(kafka_dir "$2")/kafka.pid" kafka.Kafka "kafka node $2" ;;
  start-broker)
    check_node "${2:-}"
    use_java
    start_broker "$2"
    ;;
  wait-in-sync)
    use_java
    probe in-sync "$(bootstrap)" "${2:-120}"
    ;;
  test) shift; run_tests "$@" ;;
  *)
    echo "usage: $0 start|stop|clean|status|env|kill-broker N|stop-broker N|start-broker N|wait-in-sync [seconds]|test [maven args]" >&2
    exit 2
    ;;
esac

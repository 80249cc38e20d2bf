# Sourced by scripts/services.sh and scripts/cluster.sh: ports, processes by PID file, and the
# Kafka broker's jars. Needs a say() function, ROOT and KAFKA_LIB; STOP_WAIT_S (default 30) is
# how long stop_pid waits after SIGTERM.

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port name seconds
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    port_open "$1" && return 0
    sleep 0.2
  done
  say "$2 did not accept connections on port $1 within $3 s"
  return 1
}

# alive PIDFILE PATTERN: the recorded PID runs and is still our process (guards PID reuse)
alive() {
  [ -f "$1" ] || return 1
  local pid; pid=$(cat "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

stop_pid() { # pidfile pattern name
  if ! alive "$1" "$2"; then rm -f "$1"; return 0; fi
  local pid i wait_s=${STOP_WAIT_S:-30}; pid=$(cat "$1")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$3 (pid $pid) ignored SIGTERM for $wait_s s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
  say "$3 stopped"
}

# resolve_kafka: the Kafka broker's jars from Maven Central into $KAFKA_LIB (once)
resolve_kafka() {
  [ -f "$KAFKA_LIB/.complete" ] && return 0
  say "resolving the Kafka broker from Maven Central into $KAFKA_LIB"
  rm -rf "$KAFKA_LIB"
  "$ROOT/mvnw" -q -B -f "$ROOT/scripts/kafka-broker/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB"
  touch "$KAFKA_LIB/.complete"
}

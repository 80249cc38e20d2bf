# shellcheck shell=bash
# The one shell library of scripts/ and bench/: sourced, never run. Sourcing it only defines
# functions and WXPUSH_ROOT (the repository root); it starts nothing, sets no shell options and
# needs no JDK until use_java is called. The functions report through say MESSAGE, which each
# script defines with its own prefix ("services: …", "bench: …"; a plain "wxpush: " otherwise).
#
# A JDK
#   use_java                      exports JAVA_HOME (a JDK >= 21: JAVA_HOME when it is new enough,
#                                 else the newest under /usr/lib/jvm), PATH with its bin/ first, and
#                                 sets JAVA; exits 1 when there is none. scripts/lib/java.sh does
#                                 just this, for a shell or a script that wants only a JDK.
#   compile_java DIR CLASS CP SRC [DEP...]
#                                 javac SRC into DIR against classpath CP, unless DIR/CLASS is newer
#                                 than SRC and every DEP (e.g. the jars of CP)
# Ports and health (127.0.0.1)
#   port_open PORT                something accepts connections on PORT
#   free_port                     prints a port nothing listens on (the kernel's pick; needs python3)
#   wait_port PORT NAME SECONDS   until PORT accepts connections; after SECONDS says so, returns 1
#   wait_http URL SECONDS [PID]   until URL answers 2xx (a wxpush /health answers 200 only when UP);
#                                 after SECONDS says so and returns 1; returns 2 at once, silently,
#                                 when process PID has exited
# Processes, by PID and by PID file
#   spawn LOG CMD...              runs CMD in the background, stdout and stderr to LOG; sets LAST_PID
#   start_bg PIDFILE LOG CMD...   spawn under nohup (it outlives the script), its PID in PIDFILE
#   wait_pidfile PIDFILE          up to 5 s until PIDFILE is written (a daemon writes it late)
#   alive PIDFILE PATTERN         the recorded PID runs and its command line still holds PATTERN
#                                 (so a reused PID is not taken for ours): the status check
#   stop_process PID [NAME]       SIGTERM; SIGKILL when it still runs STOP_WAIT_S (30) s later
#                                 (saying so); reaps it when it is this shell's child
#   stop_pid PIDFILE PATTERN NAME stop_process of the recorded process when alive, then removes
#                                 PIDFILE and says "NAME stopped"
#   kill_pid PIDFILE PATTERN      SIGKILL (a crash, no clean shutdown), up to 5 s until it is gone,
#                                 removes PIDFILE; returns 1 when the recorded process does not run
# Maven
#   resolve_deps WHAT POM DIR     the runtime dependencies of POM (a pom outside the build, e.g. the
#                                 Kafka broker's or kafka-tools') copied from Maven Central by ./mvnw
#                                 into DIR, once: DIR/.complete marks a whole copy
#   ensure_jars JAR...            when one of the JARs (paths under the repository) is missing or
#                                 older than a main source or a pom of the build (an edit since it
#                                 was built), builds the project: ./mvnw -q -B package -DskipTests
#                                 (incremental; a few seconds of find when nothing changed)
# Kafka
#   write_kafka_properties FILE NODE VOTERS BROKER_PORT CONTROLLER_PORT DATA_DIR REPLICAS MIN_ISR
#                                 the one server.properties of a KRaft node (broker and controller on
#                                 127.0.0.1) used by services.sh (one node: 1 1) and cluster.sh (three:
#                                 3 2); REPLICAS and MIN_ISR apply to every topic, internal ones included
# Redis
#   redis_delete_prefix URL PREFIX  unlinks every key whose name starts with PREFIX
#
# Used by scripts/services.sh, cluster.sh, test.sh, demo.sh, bench/lib.sh (so every bench/*.sh
# that sources it) and bench/sim-memory.sh; scripts/lib/check-meters.sh is the demo's own check.

WXPUSH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

declare -F say >/dev/null || say() { echo "wxpush: $*" >&2; }

# ---------------------------------------------------------------- a JDK

wxpush_java_major() { # $1 = path to a java binary
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

wxpush_find_java_home() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    local v; v=$(wxpush_java_major "$JAVA_HOME/bin/java")
    if [ "${v:-0}" -ge 21 ] 2>/dev/null; then echo "$JAVA_HOME"; return 0; fi
  fi
  local best="" best_v=0 d v
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    v=$(wxpush_java_major "$d/bin/java")
    if [ "${v:-0}" -ge 21 ] 2>/dev/null && [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  echo "wxpush needs a JDK 21 or newer: set JAVA_HOME to one, or install one under /usr/lib/jvm (e.g. apt-get install openjdk-21-jdk-headless)" >&2
  return 1
}

use_java() {
  JAVA_HOME=$(wxpush_find_java_home) || exit 1
  export JAVA_HOME
  export PATH="$JAVA_HOME/bin:$PATH"
  # shellcheck disable=SC2034 # for the callers
  JAVA=$JAVA_HOME/bin/java
}

compile_java() { # dir class classpath source [dep...]
  local dir=$1 class=$1/$2 cp=$3 src=$4 f stale=no
  shift 4
  if [ -f "$class" ]; then
    for f in "$src" "$@"; do
      if [ "$f" -nt "$class" ]; then stale=yes; fi
    done
    [ "$stale" = yes ] || return 0
  fi
  mkdir -p "$dir"
  "$JAVA_HOME/bin/javac" -nowarn -d "$dir" -cp "$cp" "$src" || { say "compiling $src failed"; return 1; }
}

# ---------------------------------------------------------------- ports and health

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() { # port name seconds
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    port_open "$1" && return 0
    sleep 0.2
  done
  say "$2 did not accept connections on port $1 within $3 s"
  return 1
}

wait_http() { # url seconds [pid]
  local deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    curl -fs -m 2 "$1" >/dev/null 2>&1 && return 0
    if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then return 2; fi
    sleep 0.1
  done
  say "$1 did not answer within $2 s"
  return 1
}

# ---------------------------------------------------------------- processes

spawn() { # log command...
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  LAST_PID=$!
}

start_bg() { # pidfile log command...
  local pidfile=$1 log=$2
  shift 2
  spawn "$log" nohup "$@"
  echo "$LAST_PID" >"$pidfile"
}

wait_pidfile() { # pidfile
  local i
  for ((i = 0; i < 50; i++)); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
}

alive() { # pidfile pattern
  [ -f "$1" ] || return 1
  local pid; pid=$(cat "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

stop_process() { # pid [name]
  local pid=$1 name=${2:-process} wait_s=${STOP_WAIT_S:-30} i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name (pid $pid) ignored SIGTERM for $wait_s s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true # a child of this shell: reaped; any other process: no-op
}

stop_pid() { # pidfile pattern name
  if ! alive "$1" "$2"; then rm -f "$1"; return 0; fi
  stop_process "$(cat "$1")" "$3"
  rm -f "$1"
  say "$3 stopped"
}

kill_pid() { # pidfile pattern
  alive "$1" "$2" || return 1
  local pid i; pid=$(cat "$1")
  kill -KILL "$pid" 2>/dev/null || true
  # wait for the process to be gone, so the caller can count on it
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  rm -f "$1"
}

# ---------------------------------------------------------------- Maven

resolve_deps() { # what pom dir
  local what=$1 pom=$2 dir=$3
  [ -f "$dir/.complete" ] && return 0
  say "resolving $what from Maven Central into $dir"
  rm -rf "$dir"
  "$WXPUSH_ROOT/mvnw" -q -B -f "$pom" org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$dir" || { say "resolving $what failed"; return 1; }
  touch "$dir/.complete"
}

# newer_source JAR: prints the first file of the build (src/main of any module, the poms) newer
# than JAR, or nothing. It looks at every module, not only JAR's own: a jar shades the modules it
# depends on.
newer_source() { # jar
  local pom
  for pom in "$WXPUSH_ROOT"/pom.xml "$WXPUSH_ROOT"/*/pom.xml; do
    [ "$pom" -nt "$1" ] && { echo "$pom"; return 0; }
  done
  find "$WXPUSH_ROOT" \( -name .git -o -name node_modules -o -name target -o -name .wxpush -o -name .wxpush-cluster \) -prune \
    -o -path '*/src/main/*' -type f -newer "$1" -print -quit
}

ensure_jars() { # jar...
  local jar why=""
  for jar in "$@"; do
    if [ ! -f "$WXPUSH_ROOT/$jar" ]; then
      why="$jar is missing; the first build downloads dependencies"
    else
      why=$(newer_source "$WXPUSH_ROOT/$jar")
      [ -n "$why" ] && why="${why#"$WXPUSH_ROOT"/} changed since $jar was built"
    fi
    [ -n "$why" ] && break
  done
  [ -z "$why" ] && return 0
  say "building the jars ($why): ./mvnw -q -B package -DskipTests"
  (cd "$WXPUSH_ROOT" && ./mvnw -q -B package -DskipTests) || { say "the build failed"; return 1; }
  for jar in "$@"; do
    [ -f "$WXPUSH_ROOT/$jar" ] || { say "the build wrote no $jar"; return 1; }
  done
}

# ---------------------------------------------------------------- Kafka

write_kafka_properties() { # file node voters broker-port controller-port data-dir replicas min-isr
  local file=$1 node=$2 voters=$3 port=$4 controller=$5 data=$6 replicas=$7 min_isr=$8
  cat >"$file" <<EOF
process.roles=broker,controller
node.id=$node
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data
num.partitions=12
auto.create.topics.enable=false
# Every topic (the internal ones too) gets REPLICAS copies and a write needs MIN_ISR of them: with
# three and two, one broker may die without losing an acknowledged record or refusing writes.
default.replication.factor=$replicas
min.insync.replicas=$min_isr
unclean.leader.election.enable=false
offsets.topic.replication.factor=$replicas
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=$replicas
transaction.state.log.min.isr=$min_isr
# Without these (on one broker) the share-group state topic is never created and a share
# consumer silently receives nothing.
share.coordinator.state.topic.replication.factor=$replicas
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
log.retention.hours=24
EOF
}

# ---------------------------------------------------------------- Redis

redis_delete_prefix() { # url prefix
  redis-cli -u "$1" --scan --pattern "$2*" | xargs -r -n 1000 redis-cli -u "$1" unlink >/dev/null
}

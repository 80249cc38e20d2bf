#!/usr/bin/env bash
# The WeChat call per HTTP client (BENCHMARKS.md §11): wxpush's OkHttp client against
# Jetty 12's client (blocking on virtual threads, and its async API) and java.net.http, each in its
# own JVM, POSTing template messages to one wechat-sim at LATENCY ms with CONCURRENCY in flight;
# prints the client process's CPU per request. The clients take turns, RUNS rounds, medians.
#   bench/http-clients.sh [requests=30000] [concurrency=1000] [latency_ms=50]      env: RUNS (3)
source "$(dirname "$0")/lib.sh"
REQUESTS=${1:-30000}; CONCURRENCY=${2:-1000}; LATENCY=${3:-50}; RUNS=${RUNS:-3}
CLIENTS=(okhttp jetty jetty-async jdk)
ensure_tool
resolve_deps "org.eclipse.jetty:jetty-client" "$BENCH/http-clients/pom.xml" "$BENCH/.lib/http-clients"
CP="$ROOT/push-worker/target/push-worker.jar:$BENCH/.lib/http-clients/*"
compile_java "$BENCH/.build" HttpClientBench.class "$CP" "$BENCH/java/HttpClientBench.java" push-worker/target/push-worker.jar
start_sim "$LATENCY"
say "sim $SIM latency ${LATENCY}ms; $REQUESTS requests per client and round, $CONCURRENCY in flight"
for run in $(seq "$RUNS"); do
  for c in "${CLIENTS[@]}"; do
    line=$("$JAVA" -Xmx1g -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "$BENCH/.build:$CP" \
      HttpClientBench "$c" "$SIM" "$APP" "$SECRET" "$REQUESTS" "$CONCURRENCY" 2>"$WORK/$c.$run.err" | grep '^RESULT') \
      || { say "$c failed:"; tail -5 "$WORK/$c.$run.err" >&2; exit 1; }
    echo "  run $run: ${line#RESULT }"
    echo "$line" | sed -E 's/.*cpu_us_per_request=([0-9.]+).*/\1/' >>"$WORK/$c.cpu"
  done
done
for c in "${CLIENTS[@]}"; do
  printf 'RESULT http-client %s cpu_us_per_request=%s (median of %d runs)\n' "$c" "$(median <"$WORK/$c.cpu")" "$RUNS"
done

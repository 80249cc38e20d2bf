# The one image recipe of wxpush's runnable modules: ingest-api, push-worker and wechat-sim.
# Build the jars first, then the image of one module, from the repository root (the build context):
#   ./mvnw -q package -DskipTests && docker compose build          # all three (docker-compose.yml passes the args)
#   docker build --build-arg MODULE=ingest-api --build-arg HTTP_PORT=8080 -t wxpush/ingest-api .
#   (push-worker: HTTP_PORT=8081; wechat-sim: HTTP_PORT=8090 — each the code's default port)
# .dockerignore keeps the context to the modules' jars.
FROM eclipse-temurin:21-jre

# Which module's jar the image runs (target/<module>.jar), and that module's HTTP port.
ARG MODULE
ARG HTTP_PORT

# curl serves the HEALTHCHECK; installed explicitly rather than trusting the base image to carry it.
RUN test -n "$MODULE" && test -n "$HTTP_PORT" \
   || { echo "build with --build-arg MODULE=<ingest-api|push-worker|wechat-sim> --build-arg HTTP_PORT=<its port>" >&2; exit 1; } \
 && apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 wxpush \
 && useradd --system --uid 10001 --gid wxpush --no-create-home --home-dir /app --shell /usr/sbin/nologin wxpush

WORKDIR /app
COPY --chown=10001:10001 ${MODULE}/target/${MODULE}.jar /app/app.jar

# The module's HTTP port (API, or health and metrics); what EXPOSE and the health check follow.
ENV HTTP_PORT=${HTTP_PORT}
EXPOSE ${HTTP_PORT}
LABEL io.wxpush.module=${MODULE}

# Numeric so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001

# /health is 200 only while Kafka and Redis answer (wechat-sim: while it serves).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null "http://localhost:${HTTP_PORT}/health" || exit 1

# Exec form: java is PID 1 and receives SIGTERM itself, so shutdown hooks drain in-flight work.
# Heap follows the container's memory limit; JAVA_TOOL_OPTIONS adds flags without a rebuild.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.security.egd=file:/dev/urandom", "-jar", "/app/app.jar"]

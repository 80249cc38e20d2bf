package io.wxpush.testkit;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * JUnit 5 extension that hands each test a {@link TestEnv}: real Kafka and Redis, and names of
 * its own. The services come from {@code KAFKA_BOOTSTRAP_SERVERS} and {@code REDIS_URL} when set
 * (as {@code scripts/test.sh} does), else from Testcontainers when a Docker engine answers, else
 * the test fails with a message saying how to start them.
 *
 * <p>Use {@code @ExtendWith(RealServices.class)} and take a {@code TestEnv} parameter in a test,
 * a {@code @BeforeEach} or a constructor. Containers, when used, start once per JVM.
 */
public final class RealServices implements ParameterResolver {
  private static final String KAFKA_IMAGE = "apache/kafka:4.4.0";
  private static final String REDIS_IMAGE = "redis:7.4";

  private static volatile Endpoints endpoints;

  private record Endpoints(String kafka, String redis) {}

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestEnv.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Endpoints e = endpoints();
    // One id per test method (or per class for a constructor), so that a test's own
    // @BeforeEach and test method see the same names.
    ExtensionContext scope = context.getTestMethod().isPresent() ? context : context.getRoot();
    String id = scope.getStore(ExtensionContext.Namespace.create(RealServices.class, context.getUniqueId()))
        .getOrComputeIfAbsent("id", k -> newId(), String.class);
    return new TestEnv(e.kafka(), e.redis(), id);
  }

  /** The shared endpoints, for code outside a test method (e.g. a static fixture). */
  public static TestEnv newEnv() {
    Endpoints e = endpoints();
    return new TestEnv(e.kafka(), e.redis(), newId());
  }

  private static String newId() {
    byte[] bytes = new byte[4];
    ThreadLocalRandom.current().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static Endpoints endpoints() {
    Endpoints e = endpoints;
    if (e != null) return e;
    synchronized (RealServices.class) {
      if (endpoints == null) endpoints = discover();
      return endpoints;
    }
  }

  private static Endpoints discover() {
    String kafka = setting("KAFKA_BOOTSTRAP_SERVERS");
    String redis = setting("REDIS_URL");
    if (kafka != null && redis != null) return new Endpoints(kafka, redis);
    if (!dockerAvailable()) {
      throw new ExtensionConfigurationException(
          "No Kafka/Redis for integration tests: run them through scripts/test.sh, or start them with "
              + "'scripts/services.sh start' and set KAFKA_BOOTSTRAP_SERVERS=localhost:9092 "
              + "REDIS_URL=redis://localhost:6379 (no Docker engine is available for Testcontainers).");
    }
    if (kafka == null) {
      KafkaContainer container = new KafkaContainer(KAFKA_IMAGE)
          .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
          .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");
      container.start();
      kafka = container.getBootstrapServers();
    }
    if (redis == null) {
      GenericContainer<?> container = new GenericContainer<>(REDIS_IMAGE)
          .withCommand("redis-server", "--appendonly", "yes")
          .withExposedPorts(6379);
      container.start();
      redis = "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
    }
    return new Endpoints(kafka, redis);
  }

  private static String setting(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) value = System.getProperty(name);
    return value == null || value.isBlank() ? null : value;
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }
}

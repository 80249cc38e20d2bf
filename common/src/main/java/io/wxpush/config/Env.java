package io.wxpush.config;

import io.wxpush.secret.Secret;
import io.wxpush.wechat.WeChatApp;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads typed settings from a variable map (normally {@link System#getenv()}), collecting every
 * problem instead of stopping at the first, so that one start-up names all that is wrong.
 * Every read goes through a {@link Variable} of a settings table ({@link Setting}, or a process's
 * own), whose default is declared there and only there.
 * Messages name the variable and never print a value that {@link #secret} read.
 *
 * <p>Not thread-safe; use one per configuration load, then call {@link #check()}.
 */
public final class Env {
  private final Map<String, String> vars;
  private final List<String> problems = new ArrayList<>();

  public Env(Map<String, String> vars) {
    this.vars = Map.copyOf(vars);
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  /** The raw value, or empty when unset or blank. */
  private Optional<String> raw(String name) {
    String value = vars.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private String string(String name, String defaultValue) {
    return raw(name).orElse(defaultValue);
  }

  /** A required plain value; records a problem and returns {@code null} when missing. */
  private String required(String name) {
    Optional<String> value = raw(name);
    if (value.isEmpty()) problems.add(name + " is required but not set");
    return value.orElse(null);
  }

  private int integer(String name, int defaultValue, int min, int max) {
    return parse(name, defaultValue, text -> {
      int v = Integer.parseInt(text);
      if (v < min || v > max) throw new IllegalArgumentException("must be between " + min + " and " + max);
      return v;
    }, "a whole number");
  }

  private int port(String name, int defaultValue) {
    return integer(name, defaultValue, 0, 65535);
  }

  /** A duration written as ISO-8601 ({@code PT5S}) or a number with a unit: ms, s, m, h. */
  private Duration duration(String name, Duration defaultValue) {
    return parse(name, defaultValue, Env::parseDuration, "a duration such as 500ms, 5s, 2m, 7d or PT5S");
  }

  private boolean bool(String name, boolean defaultValue) {
    return parse(name, defaultValue, text -> switch (text.toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException("must be true or false");
    }, "true or false");
  }

  private URI httpUri(String name, String defaultValue) {
    return parse(name, URI.create(defaultValue), text -> {
      URI uri = URI.create(text);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("must be an http(s) URL");
      }
      return uri;
    }, "an http(s) URL");
  }

  /** A secret value; problems name the variable but never echo what was given. */
  private Secret secret(String name, int minBytes) {
    Optional<String> value = raw(name);
    if (value.isEmpty()) {
      problems.add(name + " is required but not set");
      return null;
    }
    Secret secret = Secret.of(value.get());
    if (secret.bytes().length < minBytes) {
      problems.add(name + " must be at least " + minBytes + " bytes long (value not shown)");
    }
    return secret;
  }

  /** A list of secrets separated by commas, e.g. API keys. */
  private List<Secret> secrets(String name) {
    Optional<String> value = raw(name);
    if (value.isEmpty()) {
      problems.add(name + " is required but not set");
      return List.of();
    }
    List<Secret> out = new ArrayList<>();
    for (String part : value.get().split(",")) {
      if (!part.isBlank()) out.add(Secret.of(part.trim()));
    }
    if (out.isEmpty()) problems.add(name + " lists no value");
    return out;
  }

  private Map<String, WeChatApp> weChatApps(String name) {
    Optional<String> value = raw(name);
    if (value.isEmpty()) {
      problems.add(name + " is required but not set (format appId:secret[:token[:encodingAesKey]][,...])");
      return Map.of();
    }
    try {
      return WeChatApp.parseList(value.get());
    } catch (IllegalArgumentException e) {
      problems.add(name + ": " + e.getMessage() + " (format appId:secret[:token[:encodingAesKey]][,...]; value not shown)");
      return Map.of();
    }
  }

  /** The raw value of {@code s}, or empty when unset or blank. */
  public Optional<String> raw(Variable s) {
    return raw(s.name());
  }

  public String string(Variable s) {
    return string(s.name(), s.defaultValue().orElse(""));
  }

  public int integer(Variable s, int min, int max) {
    return integer(s.name(), Integer.parseInt(declaredDefault(s)), min, max);
  }

  /** {@code HTTP_PORT}, defaulting to {@code process}'s own port. */
  public int port(Setting s, Setting.Process process) {
    return port(s.name(), Integer.parseInt(s.defaultFor(process).orElseThrow()));
  }

  public Duration duration(Variable s) {
    return duration(s.name(), parseDuration(declaredDefault(s)));
  }

  public URI httpUri(Variable s) {
    return httpUri(s.name(), declaredDefault(s));
  }

  /** A fraction between 0 and 1. */
  public double rate(Variable s) {
    return parse(s.name(), Double.parseDouble(declaredDefault(s)), text -> {
      double rate = Double.parseDouble(text);
      if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException("must be a number between 0 and 1");
      return rate;
    }, "a number between 0 and 1");
  }

  public Secret secret(Variable s, int minBytes) {
    return secret(s.name(), minBytes);
  }

  public List<Secret> secrets(Variable s) {
    return secrets(s.name());
  }

  public Map<String, WeChatApp> weChatApps(Variable s) {
    return weChatApps(s.name());
  }

  private static String declaredDefault(Variable s) {
    return s.defaultValue().orElseThrow(() -> new IllegalStateException(s + " has no default: read it as required"));
  }

  /** Records a problem found by a caller's own cross-field check. */
  public void problem(String message) {
    problems.add(message);
  }

  /** Throws a {@link ConfigException} naming every problem recorded so far. */
  public void check() {
    if (!problems.isEmpty()) throw new ConfigException(problems);
  }

  private <T> T parse(String name, T defaultValue, Function<String, T> parser, String expected) {
    Optional<String> value = raw(name);
    if (value.isEmpty()) return defaultValue;
    try {
      return parser.apply(value.get());
    } catch (RuntimeException e) {
      String why = e instanceof NumberFormatException || e.getMessage() == null ? "must be " + expected : e.getMessage();
      problems.add(name + "=" + value.get() + ": " + why);
      return defaultValue;
    }
  }

  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase();
    if (t.startsWith("p")) return Duration.parse(text.trim().toUpperCase());
    int split = 0;
    while (split < t.length() && Character.isDigit(t.charAt(split))) split++;
    if (split == 0) throw new IllegalArgumentException("must be a duration such as 500ms, 5s, 2m, 7d or PT5S");
    long amount = Long.parseLong(t.substring(0, split));
    return switch (t.substring(split)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s", "" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> throw new IllegalArgumentException("unit must be ms, s, m, h or d");
    };
  }
}

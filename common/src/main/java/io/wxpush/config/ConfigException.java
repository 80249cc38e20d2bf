package io.wxpush.config;

import java.util.List;

/**
 * Thrown at start-up when the environment does not describe a runnable process. Its message
 * names every offending variable and never contains a secret's value.
 */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super("invalid configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem, each naming its variable. */
  public List<String> problems() {
    return problems;
  }
}

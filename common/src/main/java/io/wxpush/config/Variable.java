package io.wxpush.config;

import java.util.List;
import java.util.Optional;

/**
 * One environment variable a process reads, as a settings table declares it: its name, kind of
 * value, default and meaning. The server's table is {@link Setting}; a process with a table of its
 * own (wechat-sim's {@code SimSetting}) implements this too, and {@link Env} reads through either.
 */
public interface Variable {
  String name();

  Setting.Kind kind();

  /** The default as written in the environment; empty for a variable the process requires. */
  Optional<String> defaultValue();

  /** What it means, as Markdown (the README's table shows it). */
  String meaning();

  /**
   * The Markdown table of {@code variables}, in the order given: {@code | variable | meaning | default |}
   * with {@code required} where there is no default and {@code none} where it is empty.
   */
  static String markdownTable(List<? extends Variable> variables) {
    StringBuilder out = new StringBuilder("| variable | meaning | default |\n|---|---|---|\n");
    for (Variable v : variables) {
      out.append("| `").append(v.name()).append("` | ").append(v.meaning().replace("|", "\\|")).append(" | ")
          .append(defaultCell(v.defaultValue())).append(" |\n");
    }
    return out.toString();
  }

  /** A default as the tables show it: {@code required}, {@code none} or the value in backticks. */
  static String defaultCell(Optional<String> defaultValue) {
    if (defaultValue.isEmpty()) return "required";
    if (defaultValue.get().isEmpty()) return "none";
    return "`" + defaultValue.get() + "`";
  }
}

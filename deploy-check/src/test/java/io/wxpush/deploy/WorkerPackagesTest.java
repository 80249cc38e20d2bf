package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The push-worker's packages form no cycle: {@code io.wxpush.worker} (the process: config, roles
 * put together) depends on its role packages ({@code credentials}, {@code fanout}, {@code sender}),
 * and they on {@code loop} (consumer loops, backoff, the role contract), never the other way round;
 * no role package depends on another.
 */
class WorkerPackagesTest {
  private static final String BASE = "push-worker/src/main/java/io/wxpush/worker/";
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.wxpush\\.worker\\.([a-z]+\\.)?([A-Z]\\w*)", Pattern.MULTILINE);

  /** Violations in {@code file} (a path under {@link #BASE}) with {@code source}. */
  static List<String> violations(String file, String source) {
    String pkg = file.contains("/") ? file.substring(0, file.indexOf('/')) : "";
    List<String> found = new ArrayList<>();
    Matcher m = IMPORT.matcher(source);
    while (m.find()) {
      String target = m.group(1) == null ? "" : m.group(1).substring(0, m.group(1).length() - 1);
      if (target.equals(pkg)) continue;
      boolean ok = switch (pkg) {
        case "" -> true;                            // the process may use every package
        case "loop" -> false;                       // the bottom: uses none
        default -> target.equals("loop");           // a role: only the loop package
      };
      if (!ok) found.add(file + " imports io.wxpush.worker." + (m.group(1) == null ? "" : m.group(1)) + m.group(2));
    }
    return found;
  }

  @Test
  void rolesDependOnlyOnTheLoopPackageAndNothingDependsOnTheProcess() {
    List<String> found = new ArrayList<>();
    for (Path p : RepoFiles.filesUnder(BASE, ".java")) {
      String rel = RepoFiles.relative(p).substring(BASE.length());
      found.addAll(violations(rel, RepoFiles.text(RepoFiles.relative(p))));
    }
    assertThat(found).as("package cycles in push-worker").isEmpty();
  }

  @Test
  void theCheckSeesEachKindOfCycle() {
    assertThat(violations("sender/SenderRole.java", "import io.wxpush.worker.WorkerConfig;\n")).hasSize(1);
    assertThat(violations("sender/SenderRole.java", "import io.wxpush.worker.fanout.Fanout;\n")).hasSize(1);
    assertThat(violations("loop/Role.java", "import io.wxpush.worker.sender.SenderRole;\n")).hasSize(1);
    assertThat(violations("sender/SenderRole.java", "import io.wxpush.worker.loop.ConsumerLoop;\n")).isEmpty();
    assertThat(violations("PushWorker.java", "import io.wxpush.worker.sender.SenderRole;\n")).isEmpty();
  }
}

package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.wxpush.config.Setting;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration tables are the server's settings table ({@link Setting}) as Markdown: a
 * variable added, renamed or given another default in the code without the README (or the other
 * way round) fails here, with the table to paste.
 */
class SettingsTableTest {
  private static final Pattern BLOCK = Pattern.compile("<!-- settings:[^>]*-->\n(.*?)\n<!-- /settings -->", Pattern.DOTALL);

  private static void tableIs(String file, Set<Setting.Process> processes) {
    Matcher m = BLOCK.matcher(RepoFiles.text(file));
    assertThat(m.find()).as(file + " has a <!-- settings --> block").isTrue();
    String expected = Setting.markdownTable(processes).stripTrailing();
    assertThat(m.group(1).stripTrailing()).as(file + "'s configuration table; it should read:\n" + expected + "\n").isEqualTo(expected);
  }

  @Test
  void theReadmeListsEveryVariableOfTheApiAndTheWorkerWithItsDefault() {
    tableIs("README.md", EnumSet.of(Setting.Process.INGEST_API, Setting.Process.PUSH_WORKER));
  }

  @Test
  void theServersTableHasNoRowOfTheSim() {
    // wechat-sim owns its variables (io.wxpush.sim.SimSetting, checked by its SimSettingsTableTest)
    assertThat(Setting.values()).extracting(Setting::name).noneMatch(name -> name.startsWith("SIM_"));
  }

  @Test
  void theTableCanTellAChangedDefault() {
    String table = Setting.markdownTable(EnumSet.of(Setting.Process.PUSH_WORKER));
    assertThat(table).contains("| `SENDER_CONCURRENCY` | sends in flight per process | `1024` |");
    assertThat(table).doesNotContain("SESSION_SIGNING_KEY");
  }
}

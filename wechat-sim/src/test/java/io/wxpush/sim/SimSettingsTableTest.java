package io.wxpush.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * wechat-sim's README configuration table is the sim's own settings table ({@link SimSetting}) as
 * Markdown: a variable added, renamed or given another default without the README (or the other
 * way round) fails here, with the table to paste.
 */
class SimSettingsTableTest {
  private static final Pattern BLOCK = Pattern.compile("<!-- settings:[^>]*-->\n(.*?)\n<!-- /settings -->", Pattern.DOTALL);

  @Test
  void theReadmeListsEveryVariableOfTheSimWithItsDefault() throws IOException {
    Matcher m = BLOCK.matcher(Files.readString(Path.of("README.md")));
    assertThat(m.find()).as("wechat-sim/README.md has a <!-- settings --> block").isTrue();
    String expected = SimSetting.markdownTable().stripTrailing();
    assertThat(m.group(1).stripTrailing()).as("wechat-sim/README.md's configuration table; it should read:\n" + expected + "\n")
        .isEqualTo(expected);
  }

  @Test
  void theTableShowsRequiredAndDefaultValues() {
    assertThat(SimSetting.markdownTable())
        .contains("| `WECHAT_APPS` | ")
        .contains("| `HTTP_PORT` | the sim's HTTP port (WeChat's API and the `/sim/…` controls) | `8090` |")
        .contains("| `SIM_HANG` | how long a hung send hangs | `30s` |");
    assertThat(SimSetting.WECHAT_APPS.required()).isTrue();
    assertThat(SimSetting.SIM_LATENCY.required()).isFalse();
  }
}

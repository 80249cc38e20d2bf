package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The provisioned Grafana dashboard queries only metrics wxpush exports, from the provisioned data source. */
class DashboardTest {
  private final JsonNode dashboard = RepoFiles.json("deploy/grafana/dashboards/wxpush.json");

  /** Every PromQL expression: panel targets (nested rows included) and query variables. */
  private List<String> expressions() {
    List<String> exprs = new ArrayList<>();
    dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      JsonNode query = variable.path("query");
      String text = query.isObject() ? query.path("query").asText("") : query.asText("");
      if (variable.path("type").asText().equals("query") && !text.isBlank()) exprs.add(text);
    }
    return exprs;
  }

  @Test
  void dashboardQueriesOnlyExportedMetrics() {
    List<String> exprs = expressions();
    assertThat(exprs).as("queries in deploy/grafana/dashboards/wxpush.json").isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (String expr : exprs) {
      var names = PromQl.metricNames(expr);
      if (names.isEmpty()) problems.add("query names no metric: " + expr);
      for (String metric : names) {
        if (!PromQl.isKnown(metric)) problems.add("queries " + metric + ", which starts with no exported name, in: " + expr);
      }
    }
    assertThat(problems).as("dashboard metrics disagree with what wxpush exports " + PromQl.KNOWN_METRICS).isEmpty();
  }

  @Test
  void dashboardCoversTheOperationalSignals() {
    String all = String.join("\n", expressions());
    List<String> missing = new ArrayList<>();
    for (String metric : List.of("wxpush_sends_total", "wxpush_push_outcomes_total", "wxpush_dlq_records_total",
        "wxpush_token_refreshes_total", "wxpush_wechat_call_seconds_bucket", "wxpush_credentials_received_total",
        "http_server_requests_seconds_count")) {
      if (!all.contains(metric)) missing.add(metric);
    }
    assertThat(missing).as("metrics docs/operations.md tells operators to read on the dashboard, but no panel queries").isEmpty();
  }

  @Test
  void panelsUseTheProvisionedDataSource() {
    String provisioned = RepoFiles.yaml("deploy/grafana/provisioning/datasources/prometheus.yml").path("datasources").path(0).path("uid").asText();
    List<String> problems = new ArrayList<>();
    for (JsonNode ds : dashboard.findValues("datasource")) {
      String uid = ds.isObject() ? ds.path("uid").asText() : ds.asText();
      if (!uid.equals(provisioned)) problems.add("datasource " + ds + " is not the provisioned uid " + provisioned);
    }
    String path = RepoFiles.yaml("deploy/grafana/provisioning/dashboards/wxpush.yml").path("providers").path(0).path("options").path("path").asText();
    if (!RepoFiles.text("docker-compose.yml").contains("./deploy/grafana/dashboards:" + path)) {
      problems.add("the dashboard provider reads " + path + ", but docker-compose.yml does not mount deploy/grafana/dashboards there");
    }
    assertThat(problems).as("Grafana provisioning").isEmpty();
  }
}

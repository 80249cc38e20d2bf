package io.wxpush.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {
  @Test
  void metricNamesSkipFunctionsLabelsRangesAndGrouping() {
    assertThat(PromQl.metricNames(
        "histogram_quantile(0.99, sum by (le, endpoint) (rate(wxpush_wechat_call_seconds_bucket{process=\"push-worker\"}[$__rate_interval])))"))
        .containsExactly("wxpush_wechat_call_seconds_bucket");
    assertThat(PromQl.metricNames(
        "sum(rate(a_total[5m])) / clamp_min(sum(rate(b_total{status=~\"5..\"}[5m])), 1e-9) + on(instance) group_left(x) c"))
        .containsExactly("a_total", "b_total", "c");
    assertThat(PromQl.metricNames("label_values(jvm_memory_used_bytes, process)")).containsExactly("jvm_memory_used_bytes");
  }

  @Test
  void knownMetricsAreTheExportedNamesAndFamilies() {
    assertThat(PromQl.isKnown("wxpush_sends_total")).isTrue();
    assertThat(PromQl.isKnown("kafka_consumer_fetch_manager_records_lag_max")).isTrue();
    assertThat(PromQl.isKnown("jvm_gc_pause_seconds_sum")).isTrue();
    assertThat(PromQl.isKnown("wxpush_send_total")).isFalse();
    assertThat(PromQl.isKnown("process_cpu_usage")).isFalse();
  }
}

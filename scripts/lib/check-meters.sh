# Sourced by scripts/demo.sh: checks that the meters of WxpushMeter (and the JVM, HTTP and Kafka
# client meters) appear in the processes' /metrics, non-zero where the demo's traffic flowed.
# Usage: check_meters URL... ; returns 1 when one is missing or zero where it must not be.
check_meters() {
  local all="" url
  for url in "$@"; do all+=$(curl -s -m 5 "$url")$'\n'; done
  local failed=0 name need total
  # name:need — need "traffic" = must be > 0 after the demo; "present" = must appear (may be 0)
  for entry in \
    wxpush_credentials_received_total:traffic wxpush_credentials_rejected_total:present \
    wxpush_credentials_stored_total:traffic wxpush_credentials_expired_total:present \
    wxpush_credentials_claimed_total:traffic wxpush_sends_total:traffic \
    wxpush_wechat_call_seconds_count:traffic wxpush_wechat_call_seconds_bucket:traffic \
    wxpush_token_refreshes_total:traffic wxpush_fanout_pages_total:traffic wxpush_fanout_tasks_total:traffic \
    wxpush_push_outcomes_total:traffic http_server_requests_seconds_count:traffic \
    kafka_producer_record_send_total:traffic kafka_consumer_fetch_manager_records_consumed_total:traffic \
    jvm_memory_used_bytes:traffic; do
    name=${entry%%:*}
    need=${entry##*:}
    if ! grep -q "^$name[{ ]" <<<"$all"; then
      printf '  MISSING %-52s\n' "$name"
      failed=1
      continue
    fi
    total=$(grep "^$name[{ ]" <<<"$all" | awk '{s += $NF} END {printf "%.0f", s}')
    if [ "$need" = traffic ] && [ "$total" = 0 ]; then
      printf '  ZERO    %-52s %s\n' "$name" "$total"
      failed=1
    else
      printf '  ok      %-52s %s\n' "$name" "$total"
    fi
  done
  printf '  (wxpush_dlq_records_total appears once a task is dead-lettered; none were in this run)\n'
  return $failed
}

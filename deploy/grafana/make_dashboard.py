#!/usr/bin/env python3
"""Writes deploy/grafana/dashboards/wxpush.json. Edit here, rerun, commit both files.

The deploy-check module verifies that every metric the dashboard queries is one wxpush exports.
"""
import json
import pathlib

RI = "$__rate_interval"
panels = []
y = 0
pid = 0


def row(title):
    global y, pid
    pid += 1
    panels.append({"id": pid, "type": "row", "title": title, "collapsed": False,
                   "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
    y += 1


def ts(title, targets, x, w=12, h=8, unit="short", description="", stack=False):
    global pid
    pid += 1
    panels.append({
        "id": pid, "type": "timeseries", "title": title, "description": description,
        "datasource": {"type": "prometheus", "uid": "wxpush-prometheus"},
        "gridPos": {"h": h, "w": w, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit, "custom": {"stacking": {"mode": "normal" if stack else "none"}}},
                        "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
                    "tooltip": {"mode": "multi"}},
        "targets": [{"refId": chr(65 + i), "expr": e, "legendFormat": l,
                     "datasource": {"type": "prometheus", "uid": "wxpush-prometheus"}}
                    for i, (e, l) in enumerate(targets)],
    })


def stat(title, expr, x, w=6, h=4, unit="short", description="", thresholds=None):
    global pid
    pid += 1
    steps = thresholds or [{"color": "green", "value": None}]
    panels.append({
        "id": pid, "type": "stat", "title": title, "description": description,
        "datasource": {"type": "prometheus", "uid": "wxpush-prometheus"},
        "gridPos": {"h": h, "w": w, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}}, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "background"},
        "targets": [{"refId": "A", "expr": expr, "datasource": {"type": "prometheus", "uid": "wxpush-prometheus"}}],
    })


def red_above(v):
    return [{"color": "green", "value": None}, {"color": "red", "value": v}]


row("Overview")
stat("Sends/s (sent)", f'sum(rate(wxpush_sends_total{{outcome="sent"}}[{RI}]))', 0, unit="reqps")
stat("Quota answers (45009/45011), 5m", 'sum(increase(wxpush_sends_total{outcome="quota"}[5m]))', 6,
     description="Non-zero: WeChat is throttling an app; senders pause that app fleet-wide. See docs/operations.md.",
     thresholds=red_above(1))
stat("DLQ records, 1h", "sum(increase(wxpush_dlq_records_total[1h]))", 12,
     description="Tasks that exhausted their retries or deliveries. See docs/operations.md, 'The DLQ grows'.",
     thresholds=red_above(1))
stat("API 5xx ratio, 5m",
     'sum(rate(http_server_requests_seconds_count{status=~"5.."}[5m])) / clamp_min(sum(rate(http_server_requests_seconds_count[5m])), 1e-9)',
     18, unit="percentunit", description="503s mean Kafka did not acknowledge in time: nothing was accepted.",
     thresholds=red_above(0.01))
y += 4
ts("WeChat sends by outcome", [(f"sum by (outcome) (rate(wxpush_sends_total[{RI}]))", "{{outcome}}")], 0,
   unit="reqps", stack=True,
   description="One count per WeChat call. sent = delivered; token/credential/user/request/quota/transient = the class of the error answer.")
ts("Push outcomes per user", [(f"sum by (outcome) (rate(wxpush_push_outcomes_total[{RI}]))", "{{outcome}}")], 12,
   unit="ops", stack=True,
   description="Final outcome of each (push, user): sent, no_credential, failed, unknown (in-doubt subscribe send), expired (past notAfter).")
y += 8
ts("Backlog trend: tasks in vs outcomes out",
   [(f"sum(rate(wxpush_fanout_tasks_total[{RI}]))", "tasks published"),
    (f"sum(rate(wxpush_push_outcomes_total[{RI}]))", "tasks finished")], 0, unit="ops",
   description="When 'published' stays above 'finished' the push-tasks backlog grows: add senders.")
ts("WeChat call latency", [
    (f"histogram_quantile(0.5, sum by (le, endpoint) (rate(wxpush_wechat_call_seconds_bucket[{RI}])))", "p50 {{endpoint}}"),
    (f"histogram_quantile(0.99, sum by (le, endpoint) (rate(wxpush_wechat_call_seconds_bucket[{RI}])))", "p99 {{endpoint}}")],
   12, unit="s")
y += 8

row("Errors, quota and tokens")
ts("DLQ records by reason", [(f"sum by (reason) (increase(wxpush_dlq_records_total[5m]))", "{{reason}}")], 0, w=8)
ts("Quota and token answers",
   [(f'sum(rate(wxpush_sends_total{{outcome="quota"}}[{RI}]))', "quota (45009/45011)"),
    (f'sum(rate(wxpush_sends_total{{outcome="token"}}[{RI}]))', "token (40001/40014/42001)")], 8, w=8, unit="reqps")
ts("Access-token refreshes by app", [("sum by (app) (increase(wxpush_token_refreshes_total[1h]))", "{{app}}")], 16, w=8,
   description="About one per app per ~2 h is normal (one holder refreshes for the fleet). More means tokens are being invalidated.")
y += 8

row("Credentials")
ts("Credential uploads", [
    (f"sum(rate(wxpush_credentials_received_total[{RI}]))", "received"),
    (f"sum(rate(wxpush_credentials_stored_total[{RI}]))", "stored"),
    (f"sum(rate(wxpush_credentials_expired_total[{RI}]))", "expired (swept)")], 0, w=8, unit="ops")
ts("Rejected by reason", [(f"sum by (reason) (rate(wxpush_credentials_rejected_total[{RI}]))", "{{reason}}")], 8, w=8, unit="ops")
ts("Claimed by kind", [(f"sum by (kind) (rate(wxpush_credentials_claimed_total[{RI}]))", "{{kind}}")], 16, w=8, unit="ops")
y += 8

row("Fan-out and API")
ts("Fan-out", [(f"sum(rate(wxpush_fanout_pages_total[{RI}]))", "pages"),
               (f"sum(rate(wxpush_fanout_tasks_total[{RI}]))", "tasks")], 0, w=8, unit="ops")
ts("API requests by route and status",
   [(f'sum by (method, uri, status) (rate(http_server_requests_seconds_count{{process="ingest-api"}}[{RI}]))',
     "{{method}} {{uri}} {{status}}")], 8, w=16, unit="reqps")
y += 8

row("Kafka clients and JVM")
ts("Consumer lag (classic consumers: credential sink, fan-out)",
   [("max by (instance, client_id) (kafka_consumer_fetch_manager_records_lag_max)", "{{instance}} {{client_id}}")], 0, w=8,
   description="Share-group senders report no lag here; read the backlog trend panel instead.")
ts("Producer record errors",
   [(f"sum by (instance) (rate(kafka_producer_record_error_total[{RI}]))", "{{instance}}")], 8, w=8, unit="ops")
ts("Producer request latency (avg)",
   [("max by (instance) (kafka_producer_request_latency_avg)", "{{instance}}")], 16, w=8, unit="ms")
y += 8
ts("Heap used", [('sum by (instance) (jvm_memory_used_bytes{area="heap", process=~"$process"})', "{{instance}}"),
                 ('sum by (instance) (jvm_memory_max_bytes{area="heap", process=~"$process"})', "max {{instance}}")], 0, w=8, unit="bytes")
ts("GC pause time", [(f'sum by (instance) (rate(jvm_gc_pause_seconds_sum{{process=~"$process"}}[{RI}]))', "{{instance}}")], 8, w=8, unit="s")
ts("Live threads", [('sum by (instance) (jvm_threads_live_threads{process=~"$process"})', "{{instance}}")], 16, w=8)
y += 8

dashboard = {
    "uid": "wxpush",
    "title": "wxpush",
    "tags": ["wxpush"],
    "timezone": "browser",
    "schemaVersion": 39,
    "version": 1,
    "editable": False,
    "refresh": "30s",
    "time": {"from": "now-3h", "to": "now"},
    "templating": {"list": [{
        "name": "process", "label": "process", "type": "query",
        "datasource": {"type": "prometheus", "uid": "wxpush-prometheus"},
        "query": {"query": "label_values(jvm_memory_used_bytes, process)", "refId": "process"},
        "definition": "label_values(jvm_memory_used_bytes, process)",
        "includeAll": True, "multi": True, "current": {"text": "All", "value": "$__all"}, "refresh": 2,
    }]},
    "annotations": {"list": []},
    "panels": panels,
}
out = pathlib.Path(__file__).parent / "dashboards" / "wxpush.json"
out.write_text(json.dumps(dashboard, indent=2) + "\n")
print(f"wrote {out} ({len(panels)} panels)")

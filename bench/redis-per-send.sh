#!/usr/bin/env bash
# Redis per send (the scale model of BENCHMARKS.md §11): one warm broadcast (BC_WARM, see
# bench/broadcast.sh) of USERS users at 50 ms, with Redis's INFO read right after the warm-up and
# right before the processes stop; prints the commands executed per send (INFO commandstats,
# commands run inside scripts included), the bytes in and out and Redis's CPU per send.
#   bench/redis-per-send.sh [users=60000]
source "$(dirname "$0")/lib.sh"
source "$BENCH/broadcast.sh"
ensure_tool
start_sim 50
snap() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info all | tr -d '\r' >"$WORK/redis.$1"; }
before() { snap a; }
after() { snap b; }
export BC_WARM=1
BC_AFTER_WARM=before BC_BEFORE_STOP=after broadcast "rps" "${1:-60000}" 1
say "broadcast: $BC_SENT sent in $BC_ELAPSED s = $BC_RATE sends/s; $BC_CPU"
python3 - "$WORK/redis.a" "$WORK/redis.b" "$BC_SENT" <<'PY'
import sys, re
def parse(p):
    d = {}
    for line in open(p):
        if ':' in line and not line.startswith('#'):
            k, v = line.split(':', 1); d[k] = v.strip()
    return d
a, b, n = parse(sys.argv[1]), parse(sys.argv[2]), int(sys.argv[3])
def calls(d):
    out = {}
    for k, v in d.items():
        if k.startswith('cmdstat_'):
            m = re.search(r'calls=(\d+)', v); out[k[8:]] = int(m.group(1))
    return out
ca, cb = calls(a), calls(b)
diff = {k: cb.get(k, 0) - ca.get(k, 0) for k in cb}
tot = sum(v for v in diff.values() if v > 0)
print(f"commands per send: {tot / n:.2f}")
for k, v in sorted(diff.items(), key=lambda x: -x[1])[:12]:
    if v > 0: print(f"  {k}: {v / n:.3f}")
for k in ('total_net_input_bytes', 'total_net_output_bytes'):
    print(f"{k} per send: {(int(b[k]) - int(a[k])) / n:.0f}")
print(f"used_cpu_sys+user per send us: {((float(b['used_cpu_sys']) + float(b['used_cpu_user'])) - (float(a['used_cpu_sys']) + float(a['used_cpu_user']))) * 1e6 / n:.1f}")
PY

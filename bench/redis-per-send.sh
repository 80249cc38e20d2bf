#!/usr/bin/env bash
# Redis per send (the scale model of BENCHMARKS.md): one warm broadcast (BC_WARM, see
# bench/broadcast.sh) of USERS users at 50 ms, with Redis's INFO read right after the warm-up and
# right before the processes stop; prints the commands executed per send (INFO commandstats,
# commands run inside scripts included) with the script calls among them, the bytes in and out,
# Redis's CPU per send (and of it, the time spent executing the scripts: commandstats' usec of
# EVALSHA, which includes the commands they run; the rest is reading and writing the sockets, the
# event loop and the AOF) and the sender's. With BASELINE_JAR (another push-worker jar: the build
# before a change), the same broadcast runs with its sender and fan-out too, alternating which
# goes first, RUNS times, and the table puts both side by side (medians, and new÷base).
# Run it on a private Redis (BENCH_REDIS_PORT): the shared one's other clients would count too.
#   [BASELINE_JAR=…] [RUNS=1] [PER_USER=2] bench/redis-per-send.sh [users=60000]
# PER_USER: form_ids per user (2: the measured broadcast spends each user's last one, which also
# gives the pool its TTL; 3: a user keeps one).
source "$(dirname "$0")/lib.sh"
source "$BENCH/broadcast.sh"
USERS=${1:-60000}; RUNS=${RUNS:-1}
ensure_tool
start_sim 50
snap() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info all | tr -d '\r' >"$WORK/redis.$1"; }
before() { snap a; }
after() { snap b; }
export BC_WARM=1 BC_PER_USER=${PER_USER:-2}
VARIANTS=(new)
[ -n "${BASELINE_JAR:-}" ] && VARIANTS=(base new)
field() { echo "$BC_CPU" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
for run in $(seq "$RUNS"); do
  order=("${VARIANTS[@]}")
  [ "${#VARIANTS[@]}" = 2 ] && [ $((run % 2)) = 0 ] && order=(new base)
  for v in "${order[@]}"; do
    if [ "$v" = base ]; then jar=$BASELINE_JAR; else jar=; fi
    SENDER_JAR=$jar FANOUT_JAR=$jar BC_AFTER_WARM=before BC_BEFORE_STOP=after broadcast "rps$run$v" "$USERS" 1
    say "run $run $v: $BC_SENT sent in $BC_ELAPSED s = $BC_RATE sends/s; $BC_CPU"
    python3 - "$WORK/redis.a" "$WORK/redis.b" "$BC_SENT" "$(field sender1)" >>"$WORK/$v.json" <<'PY'
import sys, re, json
def parse(p):
    d = {}
    for line in open(p):
        if ':' in line and not line.startswith('#'):
            k, v = line.split(':', 1); d[k] = v.strip()
    return d
a, b, n = parse(sys.argv[1]), parse(sys.argv[2]), int(sys.argv[3])
def calls(d, what='calls'):
    return {k[8:]: int(re.search(what + r'=(\d+)', v).group(1)) for k, v in d.items() if k.startswith('cmdstat_')}
ca, cb = calls(a), calls(b)
# time inside the send's scripts (EVALSHA's usec includes the commands they run), and in every
# command called directly (not from a script: commandstats counts those under their own names too)
ua, ub = calls(a, 'usec'), calls(b, 'usec')
script_us = sum(ub.get(k, 0) - ua.get(k, 0) for k in ('evalsha', 'eval')) / n
per = {k: (cb.get(k, 0) - ca.get(k, 0)) / n for k in cb if cb.get(k, 0) > ca.get(k, 0)}
cpu = lambda d: float(d['used_cpu_sys']) + float(d['used_cpu_user'])
print(json.dumps({'commands': sum(per.values()), 'scripts': per.get('evalsha', 0) + per.get('eval', 0), 'per': per,
  'in': (int(b['total_net_input_bytes']) - int(a['total_net_input_bytes'])) / n,
  'out': (int(b['total_net_output_bytes']) - int(a['total_net_output_bytes'])) / n,
  'redis_us': (cpu(b) - cpu(a)) * 1e6 / n, 'script_us': script_us, 'sender_us': float(sys.argv[4] or 0)}))
PY
  done
done
python3 - "$WORK" "${VARIANTS[@]}" <<'PY'
import sys, json, statistics
work, variants = sys.argv[1], sys.argv[2:]
runs = {v: [json.loads(l) for l in open(f"{work}/{v}.json")] for v in variants}
med = lambda v, k: statistics.median(r[k] for r in runs[v])
rows = [('commands per send', 'commands', '.2f'), ('script calls per send', 'scripts', '.3f'), ('bytes in per send', 'in', '.0f'),
        ('bytes out per send', 'out', '.0f'), ('Redis CPU per send, us', 'redis_us', '.1f'),
        ('  of it executing the scripts, us', 'script_us', '.1f'), ('sender CPU per send, us', 'sender_us', '.0f')]
print('| per send (median of %d) | %s |%s' % (len(runs[variants[0]]), ' | '.join(variants), ' new/base |' if len(variants) == 2 else ''))
print('|---|' + '---|' * len(variants) + ('---|' if len(variants) == 2 else ''))
for name, k, f in rows:
    vals = [med(v, k) for v in variants]
    ratio = f' x{vals[1] / vals[0]:.2f} |' if len(variants) == 2 and vals[0] else ''
    print(f"| {name} | " + ' | '.join(format(x, f) for x in vals) + f" |{ratio}")
for v in variants:
    per = {}
    for r in runs[v]:
        for k, x in r['per'].items(): per.setdefault(k, []).append(x)
    top = sorted(((statistics.median(x), k) for k, x in per.items()), reverse=True)[:14]
    print(f"{v}: " + ', '.join(f"{k} {x:.2f}" for x, k in top))
PY

#!/usr/bin/env bash
# Redis memory budget (BENCHMARKS.md §7 and its Redis targets): USERS users, each with three live
# form_ids (sim-minted, so that the broadcast really sends) and a 28-character openId as WeChat's,
# ID_FORMAT=real (the default: WeChat's shape, 32 lowercase hex characters, which the sim mints with
# SIM_ID_FORMAT=real and still recognises) or ID_FORMAT=sim (the sim's short simf<gen>_<user>_<slot>,
# 15 characters: the figures of BENCHMARKS.md §7 before issue 32),
# seeded straight into the pools; then one broadcast to all of them with one sender. Prints, from
# Redis's own INFO memory and MEMORY USAGE:
#   - bytes per user at rest (used_memory after seeding minus before, over USERS; and the sampled
#     keys of one user: pool, plus their share of the index shards);
#   - bytes per (push, user) while the push runs (used_memory at about half the users done minus
#     at rest, over the users done then), and after it is done (over all users);
#   - what a done push leaves per user (its outcome buckets and each user's final ledger entry,
#     sampled), and what is left once its grace time has passed and one sweep pass ran (timed:
#     the sweeper's RESULT line).
# The workers run with LEDGER_GRACE=$GRACE (default 600s: longer than the broadcast takes, as it
# must be; 240s with QUICK=1), so the bench waits out the horizon before the last figure.
#
# LONG_TERM=1 also gives every user one long-term template's standing permission after the form_ids
# and reports what it added per user (used_memory, and the index shards of that template).
#
# Then the profile (bench/redis-profile.py): at each stage INFO memory, MEMORY STATS' dict tables,
# the keyspace's key and TTL counts, clients and SLOWLOG length, and MEMORY USAGE summed per key
# family, as "PROFILE" lines: every stage's growth per user split family by family, and the part of
# used_memory_dataset in no key. Use a Redis of its own (BENCH_REDIS_PORT): on a shared one, other
# users' keys and clients land in the deltas.
#
#   [ID_FORMAT=real|sim] bench/redis-budget.sh [users=1000000]      QUICK=1: 100,000 users
#   REST_ONLY=1: seed and measure at rest only (no broadcast, no grace wait): a minute at 1M users
source "$(dirname "$0")/lib.sh"
source "$BENCH/broadcast.sh"
# Key names as long as production's: a 7-character prefix as the default "wxpush:" (random, so that
# runs on a shared Redis stay apart) and an 18-character appId as WeChat's ("wx" + 16 hex). A key's
# name is a third of a user's bytes; the bench's usual "bench<run id><tag>:" and "wxbench" made the
# pool and index keys 8 characters longer than production's, a size class (16 B) more per key.
APP=wx5f3c2a1b0e9d8c7b
new_prefixes() {
  TOPIC_PREFIX=bench.$RUN_ID.$1.
  KEY_PREFIX=b$(python3 -c 'import secrets, string; print("".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(5)))'):
  PREFIXES+=("$KEY_PREFIX")
}
USERS=${1:-1000000}
[ -n "${QUICK:-}" ] && USERS=100000
ID_FORMAT=${ID_FORMAT:-real}
case "$ID_FORMAT" in real | sim) ;; *) say "ID_FORMAT must be real or sim"; exit 2 ;; esac
export SIM_ID_FORMAT=$ID_FORMAT
GRACE=${GRACE:-$([ -n "${QUICK:-}" ] && echo 240s || echo 600s)}
export LEDGER_GRACE=$GRACE
ensure_tool
start_sim 0
# GRACE is in seconds ("600s").
# used_memory less what is transient (client buffers of the pipelines, the AOF buffer, the script cache)
used() {
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info memory | tr -d '\r' | awk -F: '
    /^used_memory:/ {u = $2} /^mem_clients_normal:/ {c = $2} /^mem_clients_slaves:/ {r = $2}
    /^mem_aof_buffer:/ {a = $2} /^used_memory_scripts:/ {s = $2}
    END {print u - c - r - a - s}'
}
snap() { python3 "$BENCH/redis-profile.py" snap "$REDIS_HOST" "$REDIS_PORT" "$KEY_PREFIX" "$WORK/prof.$1.json"; }
profile() { python3 "$BENCH/redis-profile.py" report "$USERS" "$WORK/prof.$1.json" "$WORK/prof.$2.json" "$3"; }
mem() { local m; m=$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" memory usage "$1" samples 0 | tr -d "\r"); echo "${m:-0}"; }
mem_all() { # the summed MEMORY USAGE of every key matching $1, in one pipe
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "$1" | sed 's/^/MEMORY USAGE /; s/$/ SAMPLES 0/' \
    | redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" | awk '{n += $1} END {print n + 0}'
}
openid() { printf 'o%020d%07d' 0 "$1"; }

seed() { # tag users: three sim-minted form_ids per user, 100,000 users per mint call
  local users=$2 from n
  : >"$WORK/seed.lines"
  for ((from = 0; from < users; from += 100000)); do
    n=$(( users - from < 100000 ? users - from : 100000 ))
    python3 -c "import json; print(json.dumps({'appId':'$APP','perUser':3,'openIds':['o%020d%07d' % (0, i) for i in range($from, $from + $n)]}))" >"$WORK/mint.json"
    curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/mint.json" "$SIM/sim/bulk/form-ids?format=lines" >>"$WORK/seed.lines"
  done
  say "ids as minted ($ID_FORMAT): $(head -1 "$WORK/seed.lines")"
  snap before
  BEFORE=$(used)
  tool seed-pools "$REDIS_URL" "$KEY_PREFIX" "$APP" "$WORK/seed.lines" >&2
  rm -f "$WORK/seed.lines"
  REST=$(used)
  snap rest
  # one user's keys, sampled: the pool, plus its share of the index shards
  local pool=0 idx=0 s
  for s in $((USERS / 7)) $((USERS / 3)) $((USERS / 2)) $((USERS - 3)); do pool=$((pool + $(mem "${KEY_PREFIX}u{$APP:$(openid $s)}"))); done
  pool=$((pool / 4))
  idx=$(mem_all "${KEY_PREFIX}idx{$APP:*}:t")
  say "seeded $users users x 3 form_ids: used_memory +$((REST - BEFORE)) B; sampled pool key $pool B, index shards $idx B in all"
  SAMPLED_POOL=$pool; SAMPLED_INDEX=$idx
  if [ -n "${LONG_TERM:-}" ]; then
    tool seed-long-term "$REDIS_URL" "$KEY_PREFIX" "$APP" TPL_LONG "$users" >&2
    local with=$(used) lt_idx
    lt_idx=$(mem_all "${KEY_PREFIX}idx{$APP:*}:g:TPL_LONG")
    echo "RESULT redis-budget long_term_B_per_user=$(( (with - REST) / users )) (target <= 40; index shards of the template $(( lt_idx / users )) B per user)"
    REST=$with
  fi
}

MID=""; MID_DONE=0
on_poll() { # the first look past half the users: memory while the push runs
  [ -n "$MID" ] && return 0
  # the workers connected, the push begun; not at 1M users: a snapshot scans every key for minutes,
  # the push moves on meanwhile, and the in-flight figure below would miss its moment
  [ "$USERS" -gt 100000 ] || [ -f "$WORK/prof.started.json" ] || snap started
  local done
  done=$(python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print(s.get("sent",0)+s.get("noCredential",0)+s.get("failed",0)+s.get("unknown",0))' "$st" 2>/dev/null || echo 0)
  if [ "$done" -ge $((USERS / 2)) ]; then MID=$(used); MID_DONE=$done; fi
}
rcli() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@" | tr -d '\r'; }
after_done() {
  AFTER=$(used)
  snap done
  local rid o=0 l=0 s until now
  rid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["requestId"])' "$BC_STATUS")
  o=$(mem_all "${KEY_PREFIX}push{$APP:$rid}:o:*")
  for s in $((USERS / 7)) $((USERS / 3)) $((USERS / 2)) $((USERS - 3)); do l=$((l + $(mem "${KEY_PREFIX}u{$APP:$(openid $s)}"))); done
  POOL_AFTER=$((l / 4)); OUTCOMES=$o
  # wait out the grace time from the push's last outcome (now, by Redis's clock; never before its
  # horizon), then sweep once
  until=$(rcli hget "${KEY_PREFIX}push{$APP:$rid}:s" until)
  now=$(( $(rcli time | head -1) * 1000 ))
  local grace_ms=$(( ${GRACE%s} * 1000 )) wait_ms
  wait_ms=$(( until > now + grace_ms ? until - now : grace_ms ))
  # + 7 s: a sender sets an outcome bucket's TTL at most every 5 s, with 5 s to spare (OutcomeBatches.REFRESH)
  say "waiting $(( wait_ms / 1000 + 7 )) s for the grace time to pass"
  sleep $(( wait_ms / 1000 + 7 ))
  tool sweep "$REDIS_URL" "$KEY_PREFIX" "$APP" | tee "$WORK/sweep.out"
  GRACED=$(used)
  snap graced
  SWEEP_LINE=$(grep '^RESULT sweep' "$WORK/sweep.out" || true)
  BUCKETS_LEFT=$(rcli --scan --pattern "${KEY_PREFIX}push{$APP:$rid}:o:*" | wc -l)
}
if [ -n "${REST_ONLY:-}" ]; then # the at-rest figure alone: seed, measure, no broadcast
  new_prefixes budget
  seed budget "$USERS"
  echo "RESULT redis-budget id_format=$ID_FORMAT users=$USERS at_rest_B_per_user=$(( (REST - BEFORE) / USERS )) (target <= 250 with real ids; sampled: pool key $SAMPLED_POOL B + index $(( SAMPLED_INDEX / USERS )) B)"
  profile before rest "at rest ($ID_FORMAT ids)"
  exit 0
fi
BC_SEED=seed BC_ON_POLL=on_poll BC_BEFORE_STOP=after_done BC_TIMEOUT=3600 broadcast budget "$USERS" 1
snap cleaned # the run's processes gone and its keys deleted: what is left is in no key
say "broadcast: $BC_SENT sent in $BC_ELAPSED s ($BC_STATUS)"
echo "$SWEEP_LINE"
python3 - "$USERS" "$BEFORE" "$REST" "$MID" "$MID_DONE" "$AFTER" "$SAMPLED_POOL" "$SAMPLED_INDEX" "$OUTCOMES" "$POOL_AFTER" "$GRACED" "$BUCKETS_LEFT" "$ID_FORMAT" <<'PY'
import sys
users, before, rest, mid, mid_done, after, pool, idx, outcomes, pool_after, graced, buckets_left = (int(x or 0) for x in sys.argv[1:13])
at_rest = (rest - before) / users
print(f"RESULT redis-budget id_format={sys.argv[13]} users={users} at_rest_B_per_user={at_rest:.0f} (target <= 250 with real ids; sampled: pool key {pool} B + index {idx/users:.0f} B)")
if mid_done:
    print(f"RESULT redis-budget in_flight_B_per_push_user={(mid - rest) / mid_done:.0f} (target <= 60; at {mid_done} users done)")
print(f"RESULT redis-budget done_B_per_push_user={(after - rest) / users:.0f} (within the grace time; sampled: outcome buckets"
      f" {outcomes / users:.0f} B, a user's pool key {pool_after} B, was {pool})")
print(f"RESULT redis-budget after_grace_B_per_push_user={(graced - rest) / users:.1f} (target: counters only; outcome buckets left: {buckets_left})")
PY
profile before rest "at rest ($ID_FORMAT ids)"
profile rest done "push done, within the grace time"
profile rest graced "after the grace time and a sweep"
[ -f "$WORK/prof.started.json" ] && profile rest started "the workers connected, the push begun"
profile before cleaned "the run's processes gone, its keys deleted"

-- Shared by the pool's and the send ledger's scripts (prepended to each; defines functions only,
-- reads no KEYS or ARGV). RedisKeys.Family POOL/GRANTS describes the layout they keep:
--
-- One sorted set per user and pool (the form_id/prepay_id pool, or one template's grants) holds
-- three kinds of member in three disjoint score ranges, so that a user at rest costs one key:
--   live entries        score > 0                 expiry (timed pool) or collection time (grants),
--                                                 in seconds; members 'f:…', 'p:…:n', 's:…'
--   spent marks         -LEDGER_BASE < score < 0  -forgetAt in seconds (the member as it was, so a
--                                                 redelivered upload cannot bring it back)
--   final ledger        score <= -LEDGER_BASE-1   -(LEDGER_BASE + keepUntil seconds * 8 + state
--   entries                                       code); member 'l<pushId>' or 'l<pushId> <reason>'
--   standing            score = 0                 a long-term template's permission, in the user's
--   permissions                                   form_id/prepay_id pool: member 'L<tag>' (PoolMember.standing);
--                                                 never trimmed, never spent, not live (a send does
--                                                 not pop it); a reject leaves it as a spent mark
-- (LEDGER_BASE = 2^32 s, far beyond any time in seconds; scores of live entries and spent marks
-- fit a listpack's 4-byte integers until 2038, final entries take 8.)
-- A set that holds no live entry carries a TTL (its last leftover's horizon); one that does has none
-- and is in the index, where the sweep finds it.
--
-- A send in flight (claimed or attempting) is one field of the user's ledger HASH, pushId -> the string
--   'state doubt attempts owner-or-reason leaseUntilMs keepUntilMs score member'
-- state c (claimed) | a (attempting); once final (s sent | f failed | u unknown | n no credential)
-- it leaves the hash for the sorted set. doubt 0|1; '-' for no owner/reason/member; times are Redis
-- TIME in ms. Scripts return entries in that string form, finals too ('s 0 0 reason 0 keepMs 0 -').
-- Returns: nothing (a library).

local LEDGER_BASE = 4294967296
local CODES = {s = 1, f = 2, u = 3, n = 4}
local STATES = {'s', 'f', 'u', 'n'}

local function redis_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function parse(e)
  local f = {}
  for w in string.gmatch(e, '%S+') do f[#f + 1] = w end
  return f
end

local function format(f)
  return table.concat(f, ' ')
end

-- Removes what has run out: live entries expiring before dropBelowMs (timed pools only), spent marks
-- forgotten before nowMs, final ledger entries kept until before rnowMs (Redis time).
local function trim(pool, timed, nowMs, dropBelowMs, rnowMs)
  if timed then redis.call('ZREMRANGEBYSCORE', pool, '(0', '(' .. math.ceil(dropBelowMs / 1000)) end
  redis.call('ZREMRANGEBYSCORE', pool, '(' .. -math.floor(nowMs / 1000), '(0')
  redis.call('ZREMRANGEBYSCORE', pool, '(' .. -(LEDGER_BASE + math.floor(rnowMs / 1000) * 8), -(LEDGER_BASE + 1))
end

-- Live entries left in the pool.
local function live_count(pool)
  return redis.call('ZCOUNT', pool, '(0', '+inf')
end

-- The latest keep time (s) of the user's sends in flight (ledger: their ledger HASH; nil: 0).
local function in_flight_horizon(ledger)
  local horizon = 0
  if not ledger then return 0 end
  for _, e in ipairs(redis.call('HVALS', ledger)) do horizon = math.max(horizon, math.ceil(tonumber(parse(e)[6]) / 1000)) end
  return horizon
end

-- A pool with live entries or a standing permission lives until swept (or the permission ends); one
-- with only leftovers expires with the last of them, and never before the keep time of any of the
-- user's sends in flight (ledger: the user's ledger HASH; every caller that has it passes it): so a
-- final entry written later by a send's fast settle (write_final_fast) always finds its pool.
local function keep_alive(pool, ledger)
  if live_count(pool) > 0 or redis.call('ZCOUNT', pool, 0, 0) > 0 then
    redis.call('PERSIST', pool)
    return
  end
  local horizon = in_flight_horizon(ledger)
  local final = redis.call('ZRANGEBYSCORE', pool, '-inf', -(LEDGER_BASE + 1), 'WITHSCORES', 'LIMIT', 0, 1)
  if #final > 0 then horizon = math.max(horizon, math.floor((-tonumber(final[2]) - LEDGER_BASE) / 8)) end
  local spent = redis.call('ZRANGEBYSCORE', pool, '(' .. -LEDGER_BASE, '(0', 'WITHSCORES', 'LIMIT', 0, 1)
  if #spent > 0 then horizon = math.max(horizon, -tonumber(spent[2])) end
  if horizon > 0 then redis.call('PEXPIREAT', pool, (horizon + 1) * 1000) end
end

-- The send path's one read of a pool (ledger-attempt.lua): the whole set in one ZRANGE, sorted into
-- the families above — or nil when it holds VIEW_MAX members or more (then the range reads serve).
-- v.finals {member, packed}   v.spent {member, forgetAt s}   v.standing[member] = true (v.nstanding)
-- v.live {member, score as stored} (soonest first; at equal scores the lowest member, as pop_trimmed)
local VIEW_MAX = 32

local function pool_view(pool)
  local r = redis.call('ZRANGE', pool, 0, VIEW_MAX - 1, 'WITHSCORES')
  if #r >= VIEW_MAX * 2 then return nil end
  local v = {finals = {}, spent = {}, standing = {}, nstanding = 0, live = {}}
  for i = 1, #r, 2 do
    local m, s = r[i], tonumber(r[i + 1])
    if s <= -(LEDGER_BASE + 1) then v.finals[#v.finals + 1] = {m, -s - LEDGER_BASE}
    elseif s < 0 then v.spent[#v.spent + 1] = {m, -s}
    elseif s == 0 then v.standing[m] = true; v.nstanding = v.nstanding + 1
    else v.live[#v.live + 1] = {m, r[i + 1]} end
  end
  return v
end

-- trim() on a view: removes from the pool (one ZREM, only when something ran out) and from the view
-- exactly what trim() would.
local function view_trim(pool, v, timed, nowMs, dropBelowMs, rnowMs)
  local due, finals, spent, live = {}, {}, {}, {}
  local r, n, d = math.floor(rnowMs / 1000) * 8, math.floor(nowMs / 1000), math.ceil(dropBelowMs / 1000)
  for _, f in ipairs(v.finals) do if f[2] < r then due[#due + 1] = f[1] else finals[#finals + 1] = f end end
  for _, f in ipairs(v.spent) do if f[2] < n then due[#due + 1] = f[1] else spent[#spent + 1] = f end end
  for _, f in ipairs(v.live) do if timed and tonumber(f[2]) < d then due[#due + 1] = f[1] else live[#live + 1] = f end end
  v.finals, v.spent, v.live = finals, spent, live
  if #due > 0 then redis.call('ZREM', pool, unpack(due)) end
end

-- find_final() on a view.
local function view_final(v, pid)
  for _, f in ipairs(v.finals) do
    local m = f[1]
    local sp = string.find(m, ' ', 1, true)
    if (sp and string.sub(m, 2, sp - 1) or string.sub(m, 2)) == pid then
      local reason = sp and string.sub(m, sp + 1) or '-'
      return STATES[f[2] % 8] .. ' 0 0 ' .. reason .. ' 0 ' .. (math.floor(f[2] / 8) * 1000) .. ' 0 -'
    end
  end
  return nil
end

-- keep_alive() on a view, after the caller's own writes are in it: a pool left with no live entry and
-- no standing permission expires after the last of its leftovers and of the user's sends in flight
-- (inFlightKeepMs: the latest keep time in the ledger hash, so a final entry written later still finds
-- its pool). A pool with live entries has no TTL already (nothing to do).
local function view_keep_alive(pool, v, inFlightKeepMs)
  if #v.live > 0 or v.nstanding > 0 then return end
  local horizon = math.ceil(inFlightKeepMs / 1000)
  for _, f in ipairs(v.finals) do horizon = math.max(horizon, math.floor(f[2] / 8)) end
  for _, f in ipairs(v.spent) do horizon = math.max(horizon, f[2]) end
  if horizon > 0 then redis.call('PEXPIREAT', pool, (horizon + 1) * 1000) end
end

-- Pops the live entry to spend next from a pool already trimmed (timed: the soonest-expiring; grant:
-- the oldest; at equal scores the lowest member, so a form_id 'f:…' goes before a prepay_id 'p:…'
-- of the same expiry: a form_id may be resent in doubt, a prepay_id never) and leaves its spent mark
-- in its place. Returns member, score — or nil when the pool holds nothing live.
-- spentGrantMemoryMs: how long a spent grant is remembered (a timed entry: until it expires).
local function pop_trimmed(pool, timed, nowMs, spentGrantMemoryMs)
  local first = redis.call('ZRANGEBYSCORE', pool, '(0', '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #first == 0 then return nil end
  local member, score = first[1], first[2]
  local forgetAt = tonumber(score)
  if not timed then forgetAt = math.ceil((nowMs + spentGrantMemoryMs) / 1000) end
  redis.call('ZADD', pool, -forgetAt, member)
  return member, score
end

-- trim(), then pop_trimmed().
local function pop(pool, timed, nowMs, dropBelowMs, spentGrantMemoryMs, rnowMs)
  trim(pool, timed, nowMs, dropBelowMs, rnowMs)
  return pop_trimmed(pool, timed, nowMs, spentGrantMemoryMs)
end

-- The day's message counter of a user (the policy's frequency cap) is the member 'c' of their
-- form_id/prepay_id pool, in the spent-mark range: score -(dayEnd + n), dayEnd the next midnight in
-- the policy's zone (epoch seconds), n the messages sent or maybe sent since the midnight before.
-- trim() forgets it n seconds after that midnight, so a day's count costs a few bytes of a key the
-- user already has, and needs no sweep. n of another day reads as 0.
local function sent_today(counter, dayEnd)
  local s = redis.call('ZSCORE', counter, 'c')
  if not s then return 0 end
  local n = -tonumber(s) - dayEnd
  if n < 0 or n >= 86400 then return 0 end
  return n
end

-- Counts one message (sent, or maybe sent) for today when dayEnd > 0 (the app has a cap).
local function count_message(counter, dayEnd, ledger)
  if dayEnd <= 0 then return end
  redis.call('ZADD', counter, -(dayEnd + sent_today(counter, dayEnd) + 1), 'c')
  keep_alive(counter, ledger)
end

-- The first claim of a push for a user, as the app's policy allows: trims, asks the policy, pops.
-- p: {cap = most messages today (0: none), dayEnd = as sent_today, reserve = true to keep the
-- last live entry (a low push)}. A user with nothing live is 'none' whatever the policy; one who
-- had cap messages today, counting the sends of other pushes in flight (the ledger hash holds
-- only those), is 'capped'; a last live entry under reserve is 'reserved'. Neither spends anything.
-- Returns member, score — or nil, reason.
local function take(pool, ledger, counter, timed, nowMs, dropBelowMs, spentGrantMemoryMs, rnowMs, p)
  trim(pool, timed, nowMs, dropBelowMs, rnowMs)
  local live = live_count(pool)
  if live == 0 then return nil, 'none' end
  if p.cap > 0 and sent_today(counter, p.dayEnd) + redis.call('HLEN', ledger) >= p.cap then return nil, 'capped' end
  if p.reserve and live == 1 then return nil, 'reserved' end
  return pop_trimmed(pool, timed, nowMs, spentGrantMemoryMs)
end

-- Whether a claiming script's mode names a standing permission ('L<tag>', the member itself).
local function is_standing(mode)
  return string.sub(mode, 1, 1) == 'L'
end

-- Ends a standing permission (a reject, or WeChat's 43101): its member becomes a spent mark forgotten at
-- forgetAtSec, so an accept collected before now that arrives late adds nothing (pool-add.lua).
local function revoke_standing(pool, member, forgetAtSec, ledger)
  redis.call('ZADD', pool, -forgetAtSec, member)
  keep_alive(pool, ledger)
end

-- The claim of a long-term template's send: the user's standing permission (member, in pool = the
-- user's form_id/prepay_id pool, which also holds the day's counter) is used, never spent; the reserve
-- does not apply (nothing is spent), the cap does. grants (optional): the template's grants pool, whose
-- live entries (stored before the template was known to be long-term) become the permission on first
-- use. Returns member, '0' — or nil, reason ('none' | 'capped').
local function take_standing(pool, ledger, member, grants, nowMs, memoryMs, p)
  local s = redis.call('ZSCORE', pool, member)
  if not s and grants and live_count(grants) > 0 then
    local forgetAt = math.ceil((nowMs + memoryMs) / 1000)
    for _, g in ipairs(redis.call('ZRANGEBYSCORE', grants, '(0', '+inf')) do redis.call('ZADD', grants, -forgetAt, g) end
    keep_alive(grants, ledger)
    redis.call('ZADD', pool, 0, member)
    s = '0'
  end
  if not s or tonumber(s) ~= 0 then return nil, 'none' end
  if p.cap > 0 and sent_today(pool, p.dayEnd) + redis.call('HLEN', ledger) >= p.cap then return nil, 'capped' end
  return member, '0'
end

-- The first claim of a push for a user in a claiming script's mode: 'timed' or 'grant' (take), or
-- 'L<tag>' (take_standing; grants: that template's grants pool). Returns as they do.
local function claim_by_mode(pool, ledger, counter, grants, mode, nowMs, dropBelowMs, memoryMs, rnowMs, p)
  if is_standing(mode) then return take_standing(pool, ledger, mode, grants, nowMs, memoryMs, p) end
  return take(pool, ledger, counter, mode == 'timed', nowMs, dropBelowMs, memoryMs, rnowMs, p)
end

-- The policy arguments of a claiming script, from ARGV[i], ARGV[i+1], ARGV[i+2] (absent: no policy).
local function policy_args(i)
  return {cap = tonumber(ARGV[i] or '0'), dayEnd = tonumber(ARGV[i + 1] or '0'), reserve = ARGV[i + 2] == '1'}
end

-- The final entry of push pid in the pool: its member and packed score (keepUntil s * 8 + state
-- code); nil when it has none.
local function find_final_member(pool, pid)
  local all = redis.call('ZRANGEBYSCORE', pool, '-inf', -(LEDGER_BASE + 1), 'WITHSCORES')
  for i = 1, #all, 2 do
    local m = all[i]
    local sp = string.find(m, ' ', 1, true)
    local id = sp and string.sub(m, 2, sp - 1) or string.sub(m, 2)
    if id == pid then return m, -tonumber(all[i + 1]) - LEDGER_BASE end
  end
  return nil
end

-- The final entry of push pid in the pool, as the string form above; nil when it has none.
local function find_final(pool, pid)
  local m, packed = find_final_member(pool, pid)
  if not m then return nil end
  local sp = string.find(m, ' ', 1, true)
  local reason = sp and string.sub(m, sp + 1) or '-'
  return STATES[packed % 8] .. ' 0 0 ' .. reason .. ' 0 ' .. (math.floor(packed / 8) * 1000) .. ' 0 -'
end

-- Rewrites push pid's final entry as state with reason, keeping its keep time (knowledge that
-- grows: a late errcode 0 turns 'unknown' into 'sent'). Returns the new string form.
local function rewrite_final(pool, pid, state, reason)
  local m, packed = find_final_member(pool, pid)
  local keep = math.floor(packed / 8)
  redis.call('ZREM', pool, m)
  local member = 'l' .. pid
  if reason ~= '-' then member = member .. ' ' .. reason end
  redis.call('ZADD', pool, -(LEDGER_BASE + keep * 8 + CODES[state]), member)
  return state .. ' 0 0 ' .. reason .. ' 0 ' .. (keep * 1000) .. ' 0 -'
end

-- The entry of push pid for this user: in flight (the hash) or final (the pool); nil when none.
local function find(pool, ledger, pid)
  return redis.call('HGET', ledger, pid) or find_final(pool, pid)
end

-- How long an entry is kept: the grace time from now, and never less than the push's own horizon
-- (until which its tasks may still arrive).
local function keep_until(rnowMs, graceMs, untilMs)
  return math.max(rnowMs + graceMs, untilMs)
end

-- Ends push pid's entry for this user: out of the hash, into the pool as a final entry, the pool's
-- TTL left as it is. The send path's fast settle (ledger-settle.lua: this owner's attempt, settled
-- within its lease, keeping the entry until the keep time its claim stamped) needs no more: a pool
-- with a TTL was given one past the keep time of every send in flight then (keep_alive,
-- view_keep_alive), this one's included; one without holds live entries or a standing permission.
-- Returns the final entry's string form.
local function write_final_fast(pool, ledger, pid, state, reason, keepUntilMs)
  redis.call('HDEL', ledger, pid)
  local keep = math.ceil(keepUntilMs / 1000)
  local member = 'l' .. pid
  if reason ~= '-' then member = member .. ' ' .. reason end
  redis.call('ZADD', pool, -(LEDGER_BASE + keep * 8 + CODES[state]), member)
  return state .. ' 0 0 ' .. reason .. ' 0 ' .. (keep * 1000) .. ' 0 -'
end

-- write_final_fast(), then the pool's TTL as keep_alive() decides (every other path: the keep time
-- may be a new one, the pool may have lost its last live entry). Returns the final entry's string form.
local function write_final(pool, ledger, pid, state, reason, keepUntilMs)
  local written = write_final_fast(pool, ledger, pid, state, reason, keepUntilMs)
  keep_alive(pool, ledger)
  return written
end

-- Writes an entry in flight, keeping the hash alive as long as the longest-kept entry; entries
-- left behind by a push that ended without settling are dropped once past their keep time.
local function write_in_flight(ledger, pid, entry, keepUntilMs, rnowMs)
  redis.call('HSET', ledger, pid, entry)
  if redis.call('HLEN', ledger) >= 8 then
    local all = redis.call('HGETALL', ledger)
    for i = 1, #all, 2 do
      if tonumber(parse(all[i + 1])[6]) < rnowMs then redis.call('HDEL', ledger, all[i]) end
    end
  end
  if redis.call('PTTL', ledger) < keepUntilMs - rnowMs then redis.call('PEXPIRE', ledger, keepUntilMs - rnowMs) end
end

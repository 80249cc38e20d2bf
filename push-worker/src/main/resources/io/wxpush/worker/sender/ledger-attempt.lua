-- Send ledger, step 2 (claimed -> attempting): marks that one delivery of a task is about to call
-- WeChat with the entry's credential, under its owner id and a lease (Redis TIME + lease ms).
-- KEYS[1] the pool ZSET   KEYS[2] the user's ledger HASH
-- ARGV[1] push id   ARGV[2] owner id (unique per delivery)   ARGV[3] lease ms (> one call's time-out)
-- ARGV[4] '1' when ARGV[2]'s own mark is known to have had no call yet (its reply was lost), else '0'
-- ARGV[5] with no entry yet: 'timed', 'grant' or 'L<tag>' claims one first (as ledger-claim.lua,
--   straight to attempting; KEYS[4] as there), 'no' answers missing   ARGV[6] now ms   ARGV[7] timed: drop entries expiring before this ms
-- ARGV[8] grace ms   ARGV[9] the push's horizon ms (as ledger-claim.lua)
-- ARGV[10] grant mode: how long a spent grant is remembered, ms
-- ARGV[11..13] the app's policy for this claim, as ledger-claim.lua's ARGV[8..10]; KEYS[3] as there
-- Only one attempt per (push, user) is ever in flight: another owner's live lease is left alone.
-- An attempt whose lease ran out (its owner died or stalled mid-call), or this owner's own earlier
-- mark that may have had a call, leaves the send in doubt (doubt = 1, for good). In doubt, only a
-- form_id may be sent again (WeChat's 41029 then proves the first went through); a prepay_id, a
-- grant or a standing permission (nothing spent, but a second message is still a second message) is
-- refused here, and the caller records it unknown.
-- Returns {'attempting', entry, 1|0} — go ahead (1: the credential was claimed by this call);
--   {'none', entry} — nothing claimed: final 'n' (reason 'none': an empty pool; 'capped' or 'reserved': the policy);
--   {'busy', entry, leaseLeftMs} — another owner's attempt is in flight;
--   {'final', entry} — the entry already has its outcome (s|f|u|n);
--   {'refused', entry} — in doubt and not a form_id: never resent (entry now 'c' with doubt 1);
--   {'missing', ''} — no entry and ARGV[5] is 'no';  {'expired', ''} — no entry, past the horizon.
-- Cost: the first try of a task ('timed' or 'grant') reads the ledger hash and the pool once each
-- (HGETALL, one ZRANGE: pool_view) and writes what it changes — ~7 commands; a pool of VIEW_MAX
-- members or more, and a standing permission, take the range reads of ledger-lib.lua instead.
local rnow = redis_now()

-- the user's sends in flight: this push's entry, how many there are, the latest keep time among them
local held = redis.call('HGETALL', KEYS[2])
local e, inFlight, latestKeep, keeps = nil, 0, 0, {}
for i = 1, #held, 2 do
  inFlight = inFlight + 1
  if held[i] == ARGV[1] then e = held[i + 1] end
  keeps[held[i]] = tonumber(parse(held[i + 1])[6])
  latestKeep = math.max(latestKeep, keeps[held[i]])
end

-- The entry of an attempt that has just claimed its credential (member, score), kept until keep.
local function claimed_attempt(keep, score, member)
  return 'a 0 1 ' .. ARGV[2] .. ' ' .. (rnow + tonumber(ARGV[3])) .. ' ' .. keep .. ' ' .. score .. ' ' .. member
end

-- The first claim of a send, from a pool read whole (pool_view); nil when the view does not serve.
local function first_claim()
  local mode = ARGV[5]
  if mode ~= 'timed' and mode ~= 'grant' then return nil end
  local v = pool_view(KEYS[1])
  if not v then return nil end
  local final = view_final(v, ARGV[1])
  if final then return {'final', final} end
  if rnow > tonumber(ARGV[9]) then return {'expired', ''} end
  local keep = keep_until(rnow, tonumber(ARGV[8]), tonumber(ARGV[9]))
  local timed, nowMs = mode == 'timed', tonumber(ARGV[6])
  view_trim(KEYS[1], v, timed, nowMs, tonumber(ARGV[7]), rnow)
  local p = policy_args(11)
  local reason = nil
  if #v.live == 0 then reason = 'none'
  elseif p.cap > 0 and sent_today(KEYS[3] or KEYS[1], p.dayEnd) + inFlight >= p.cap then reason = 'capped'
  elseif p.reserve and #v.live == 1 then reason = 'reserved' end
  if reason then return {'none', write_final(KEYS[1], KEYS[2], ARGV[1], 'n', reason, keep)} end
  local member, score = v.live[1][1], v.live[1][2]
  table.remove(v.live, 1)
  local forgetAt = tonumber(score)
  if not timed then forgetAt = math.ceil((nowMs + tonumber(ARGV[10])) / 1000) end
  redis.call('ZADD', KEYS[1], -forgetAt, member)
  v.spent[#v.spent + 1] = {member, forgetAt}
  local entry = claimed_attempt(keep, score, member)
  redis.call('HSET', KEYS[2], ARGV[1], entry)
  if inFlight + 1 >= 8 then -- entries left behind by pushes that ended without settling, past their keep time
    for pid, k in pairs(keeps) do
      if k < rnow then redis.call('HDEL', KEYS[2], pid) end
    end
  end
  if inFlight == 0 or keep > latestKeep then redis.call('PEXPIRE', KEYS[2], keep - rnow) end
  view_keep_alive(KEYS[1], v, math.max(keep, latestKeep))
  return {'attempting', entry, 1}
end

if not e and ARGV[5] ~= 'no' then
  local first = first_claim()
  if first then return first end
end
if not e then e = find_final(KEYS[1], ARGV[1]) end
if not e then
  if ARGV[5] == 'no' then return {'missing', ''} end
  if rnow > tonumber(ARGV[9]) then return {'expired', ''} end
  local keep = keep_until(rnow, tonumber(ARGV[8]), tonumber(ARGV[9]))
  local member, score = claim_by_mode(KEYS[1], KEYS[2], KEYS[3] or KEYS[1], KEYS[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]),
    tonumber(ARGV[10]), rnow, policy_args(11))
  if not member then return {'none', write_final(KEYS[1], KEYS[2], ARGV[1], 'n', score, keep)} end
  local entry = claimed_attempt(keep, score, member)
  write_in_flight(KEYS[2], ARGV[1], entry, keep, rnow)
  keep_alive(KEYS[1], KEYS[2])
  return {'attempting', entry, 1}
end
local f = parse(e)
local state = f[1]
if state ~= 'c' and state ~= 'a' then return {'final', e} end
if state == 'a' then
  local mine = f[4] == ARGV[2]
  if not mine and tonumber(f[5]) > rnow then return {'busy', e, tonumber(f[5]) - rnow} end
  if not (mine and ARGV[4] == '1') then f[2] = '1' end
end
if f[2] == '1' and string.sub(f[8], 1, 1) ~= 'f' then
  f[1], f[4], f[5] = 'c', '-', '0'
  local refused = format(f)
  redis.call('HSET', KEYS[2], ARGV[1], refused)
  return {'refused', refused}
end
f[1], f[3], f[4], f[5] = 'a', tostring(tonumber(f[3]) + 1), ARGV[2], tostring(rnow + tonumber(ARGV[3]))
local entry = format(f)
redis.call('HSET', KEYS[2], ARGV[1], entry)
return {'attempting', entry, 0}

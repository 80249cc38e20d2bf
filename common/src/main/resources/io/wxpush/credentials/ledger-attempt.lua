-- Send ledger, step 2 (claimed -> attempting): marks that one delivery of a task is about to call
-- WeChat with the entry's credential, under its owner id and a lease (Redis TIME + lease ms).
-- Only one attempt per (push, user) is ever in flight: another owner's live lease is left alone.
-- An attempt whose lease ran out (its owner died or stalled mid-call), or this owner's own earlier
-- mark that may have had a call, leaves the send in doubt (doubt = 1). In doubt, only a form_id
-- may be sent again (WeChat's 41029 then proves the first went through); a prepay_id or grant is
-- refused here, and the caller records it unknown.
-- KEYS[1] the user's ledger HASH
-- ARGV[1] requestId   ARGV[2] owner id (unique per delivery)   ARGV[3] lease ms (> one call's time-out)
-- ARGV[4] '1' when ARGV[2]'s own mark is known to have had no call yet (its reply was lost), else '0'
-- Returns {'attempting', entry} — go ahead;
--   {'busy', entry, leaseLeftMs} — another owner's attempt is in flight;
--   {'final', entry} — the entry already has its outcome (s|f|u|n);
--   {'refused', entry} — in doubt and not a form_id: never resent (entry now 'c' with doubt 1);
--   {'missing', ''} — no entry (claim first).
-- entry: 'state doubt attempts owner-or-reason leaseUntilMs keepUntilMs score member'
local e = redis.call('HGET', KEYS[1], ARGV[1])
if not e then return {'missing', ''} end
local f = {}
for w in string.gmatch(e, '%S+') do f[#f + 1] = w end
local state = f[1]
if state ~= 'c' and state ~= 'a' then return {'final', e} end
local t = redis.call('TIME')
local rnow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if state == 'a' then
  local mine = f[4] == ARGV[2]
  if not mine and tonumber(f[5]) > rnow then return {'busy', e, tonumber(f[5]) - rnow} end
  if not (mine and ARGV[4] == '1') then f[2] = '1' end
end
if f[2] == '1' and string.sub(f[8], 1, 1) ~= 'f' then
  f[1], f[4], f[5] = 'c', '-', '0'
  local refused = table.concat(f, ' ')
  redis.call('HSET', KEYS[1], ARGV[1], refused)
  return {'refused', refused}
end
f[1] = 'a'
f[3] = tostring(tonumber(f[3]) + 1)
f[4] = ARGV[2]
f[5] = tostring(rnow + tonumber(ARGV[3]))
local entry = table.concat(f, ' ')
redis.call('HSET', KEYS[1], ARGV[1], entry)
return {'attempting', entry}

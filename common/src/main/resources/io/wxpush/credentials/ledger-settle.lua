-- Send ledger, step 3: what one attempt's answer did to the entry.
--   'sent'            WeChat answered 0 (or 41029 to this push's own credential): written first,
--                     from any owner (a delivery is a fact, whoever saw it), unless already final.
--   'retry', 'doubt'  attempting -> claimed, by the owner of the attempt only: WeChat surely did
--                     not deliver ('retry'), or the answer was lost ('doubt' sets doubt = 1, for
--                     good); the same credential is tried again.
--   'failed', 'unknown'  -> final, by the attempt's owner, or from claimed (a decision taken
--                     before any call, e.g. an in-doubt grant is never resent).
-- KEYS[1] the user's ledger HASH
-- ARGV[1] requestId   ARGV[2] owner id   ARGV[3] 'sent'|'retry'|'doubt'|'failed'|'unknown'
-- ARGV[4] reason for a final entry ('-' for none; no spaces)   ARGV[5] ledger retention ms
-- Returns {'ok', entry} | {'fenced', entry} (another owner holds it, or the state does not allow
-- this step) | {'final', entry} (it already had its outcome) | {'missing', ''}
-- entry: 'state doubt attempts owner-or-reason leaseUntilMs keepUntilMs score member'
local e = redis.call('HGET', KEYS[1], ARGV[1])
if not e then return {'missing', ''} end
local f = {}
for w in string.gmatch(e, '%S+') do f[#f + 1] = w end
local state, step = f[1], ARGV[3]
if state ~= 'c' and state ~= 'a' then return {'final', e} end
local t = redis.call('TIME')
local rnow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local owned = state == 'a' and f[4] == ARGV[2]
if step == 'sent' then
  f[1], f[4], f[5] = 's', ARGV[4], '0'
elseif step == 'retry' or step == 'doubt' then
  if not owned then return {'fenced', e} end
  f[1], f[4], f[5] = 'c', '-', '0'
  if step == 'doubt' then f[2] = '1' end
elseif step == 'failed' or step == 'unknown' then
  if not (owned or state == 'c') then return {'fenced', e} end
  f[1], f[4], f[5] = string.sub(step, 1, 1), ARGV[4], '0'
else
  return redis.error_reply('unknown step ' .. step)
end
f[6] = tostring(rnow + tonumber(ARGV[5]))
local entry = table.concat(f, ' ')
redis.call('HSET', KEYS[1], ARGV[1], entry)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {'ok', entry}

-- Send ledger, step 3: what one attempt's answer did to the entry.
-- KEYS[1] the user's ledger HASH
-- ARGV[1] requestId   ARGV[2] owner id   ARGV[3] 'sent'|'retry'|'doubt'|'failed'|'unknown'
-- ARGV[4] reason for a final entry ('-' for none; no spaces)   ARGV[5] ledger retention ms
-- Returns {'ok', entry} | {'fenced', entry} (another owner holds it, or the state does not allow
-- this step) | {'final', entry} (it already had its outcome) | {'missing', ''}   (entry: see ledger-lib.lua)
--   'sent'            WeChat answered 0 (or 41029 to this push's own credential): written first,
--                     from any owner (a delivery is a fact, whoever saw it), unless already final.
--   'retry', 'doubt'  attempting -> claimed, by the owner of the attempt only: WeChat surely did
--                     not deliver ('retry'), or the answer was lost ('doubt' sets doubt = 1, for
--                     good); the same credential is tried again.
--   'failed', 'unknown'  -> final, by the attempt's owner, or from claimed (a decision taken
--                     before any call, e.g. an in-doubt grant is never resent); 'failed' with no
--                     entry at all writes one (nothing was claimed: notAfter, a daily quota), so
--                     every later delivery of the task finds the outcome here.
local e = redis.call('HGET', KEYS[1], ARGV[1])
if not e then
  if ARGV[3] ~= 'failed' then return {'missing', ''} end
  local failed = 'f 0 0 ' .. ARGV[4] .. ' 0 ' .. (redis_now() + tonumber(ARGV[5])) .. ' 0 -'
  write_new(KEYS[1], ARGV[1], failed, ARGV[5])
  return {'ok', failed}
end
local f = parse(e)
local state, step = f[1], ARGV[3]
if state ~= 'c' and state ~= 'a' then return {'final', e} end
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
local entry = format(f)
redis.call('HSET', KEYS[1], ARGV[1], entry)
return {'ok', entry}

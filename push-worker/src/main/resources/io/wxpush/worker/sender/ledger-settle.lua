-- Send ledger, step 3: what one attempt's answer did to the entry.
-- KEYS[1] the pool ZSET   KEYS[2] the user's ledger HASH
-- ARGV[1] push id   ARGV[2] owner id   ARGV[3] 'sent'|'retry'|'doubt'|'failed'|'unknown'
-- ARGV[4] reason for a final entry ('-' for none; no spaces)   ARGV[5] grace ms   ARGV[6] the push's horizon ms
-- ARGV[7] the day's end for the policy's cap, epoch s (0: the app has no cap): a final 'sent' or
--   'unknown' (maybe delivered) counts one message of the user's day   KEYS[3] the user's form_id/prepay_id pool
-- ARGV[8] the caller's clock, ms: an attempt of ARGV[2]'s own settled before its lease ends by it takes the fast
--   path (no TIME, no pool read: write_final_fast in ledger-lib.lua); anything else the full one
-- ARGV[9] (optional) forget-at, epoch s: a final 'failed' of a standing permission ('L…', WeChat's 43101)
--   ends that permission (revoke_standing in ledger-lib.lua)
-- Returns {'ok', entry} | {'fenced', entry} (another owner holds it, or the state does not allow
-- this step) | {'final', entry} (it already had its outcome) | {'missing', ''}   (entry: see ledger-lib.lua)
--   'sent'            WeChat answered 0 (or 41029 to this push's own credential): written first,
--                     from any owner (a delivery is a fact, whoever saw it), unless already final.
--                     Knowledge only grows: a final 'unknown' becomes 'sent' (its message was
--                     counted when it became unknown, so the day's count is left alone); 'sent',
--                     'failed' and 'no credential' stay as they are.
--   'retry', 'doubt'  attempting -> claimed, by the owner of the attempt only: WeChat surely did
--                     not deliver ('retry'), or the answer was lost ('doubt' sets doubt = 1, for
--                     good); the same credential is tried again.
--   'failed', 'unknown'  -> final, by the attempt's owner, from claimed (a decision taken before
--                     any call, e.g. an in-doubt grant is never resent), or from another owner's
--                     attempt whose lease ran out (its owner died or stalled mid-call: in doubt);
--                     'failed' with no entry at all writes one (nothing was claimed: notAfter, a
--                     daily quota), so every later delivery of the task finds the outcome here
--                     ('unknown' and 'sent' likewise: every final step leaves a final entry).
--                     'failed' is never written for an entry in doubt: it becomes 'unknown'.
-- A final entry keeps only its state and reason (the spent credential's mark stays in the pool).
-- The fast path: this owner's own attempt, answered within its lease (the common end of a send).
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then
  local f = parse(held)
  local step = ARGV[3]
  if f[1] == 'a' and f[4] == ARGV[2] and tonumber(ARGV[8]) <= tonumber(f[5])
      and (step == 'sent' or ((step == 'failed' or step == 'unknown') and string.sub(f[8], 1, 1) ~= 'L')) then
    local final = step == 'sent' and 's' or 'u'
    if step == 'failed' and f[2] == '0' then final = 'f' end
    local written = write_final_fast(KEYS[1], KEYS[2], ARGV[1], final, ARGV[4], math.max(tonumber(f[6]), tonumber(ARGV[6])))
    if final ~= 'f' then count_message(KEYS[3] or KEYS[1], tonumber(ARGV[7] or '0'), KEYS[2]) end
    return {'ok', written}
  end
end
local rnow = redis_now()
local keep = keep_until(rnow, tonumber(ARGV[5]), tonumber(ARGV[6]))
local e = held or find_final(KEYS[1], ARGV[1])
if not e then
  local step = ARGV[3]
  if step ~= 'failed' and step ~= 'unknown' and step ~= 'sent' then return {'missing', ''} end
  local final = write_final(KEYS[1], KEYS[2], ARGV[1], string.sub(step, 1, 1), ARGV[4], keep)
  if step ~= 'failed' then count_message(KEYS[3] or KEYS[1], tonumber(ARGV[7] or '0'), KEYS[2]) end
  return {'ok', final}
end
local f = parse(e)
local state, step = f[1], ARGV[3]
if state ~= 'c' and state ~= 'a' then
  if step == 'sent' and state == 'u' then return {'ok', rewrite_final(KEYS[1], ARGV[1], 's', ARGV[4])} end
  return {'final', e}
end
local owned = state == 'a' and f[4] == ARGV[2]
local lapsed = state == 'a' and not owned and tonumber(f[5]) <= rnow
local dayEnd = tonumber(ARGV[7] or '0')
if step == 'sent' then
  local final = write_final(KEYS[1], KEYS[2], ARGV[1], 's', ARGV[4], keep)
  count_message(KEYS[3] or KEYS[1], dayEnd, KEYS[2])
  return {'ok', final}
elseif step == 'retry' or step == 'doubt' then
  if not owned then return {'fenced', e} end
  f[1], f[4], f[5] = 'c', '-', '0'
  if step == 'doubt' then f[2] = '1' end
  local entry = format(f)
  redis.call('HSET', KEYS[2], ARGV[1], entry)
  return {'ok', entry}
elseif step == 'failed' or step == 'unknown' then
  if not (owned or state == 'c' or lapsed) then return {'fenced', e} end
  local final = 'f'
  if step == 'unknown' or f[2] == '1' or lapsed then final = 'u' end
  local written = write_final(KEYS[1], KEYS[2], ARGV[1], final, ARGV[4], keep)
  if final == 'f' and ARGV[9] and string.sub(f[8], 1, 1) == 'L' then revoke_standing(KEYS[1], f[8], tonumber(ARGV[9]), KEYS[2]) end
  if final == 'u' then count_message(KEYS[3] or KEYS[1], dayEnd, KEYS[2]) end
  return {'ok', written}
end
return redis.error_reply('unknown step ' .. step)

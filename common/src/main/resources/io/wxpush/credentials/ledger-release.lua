-- Send ledger, final step for a send that surely did not happen (a daily quota, retries given up
-- on, a push refused as a whole): the credential goes back to its pool (unless it has expired
-- meanwhile) and the entry becomes final 'f' with no credential, so a later retry may claim afresh.
-- Fenced: never while in doubt, and only from claimed or from the owner's own attempt.
-- KEYS[1] the pool ZSET   KEYS[2] the user's spent ZSET   KEYS[3] the user's ledger HASH
-- ARGV[1] requestId   ARGV[2] owner id   ARGV[3] mode 'timed'|'grant'
-- ARGV[4] now ms (timed mode: an entry expired by then is not returned)
-- ARGV[5] reason (no spaces)   ARGV[6] ledger retention ms
-- Returns {'ok', entry, 1|0 (back in the pool)} | {'fenced', entry, 0} | {'final', entry, 0} | {'missing', '', 0}
-- entry: 'state doubt attempts owner-or-reason leaseUntilMs keepUntilMs score member'
local e = redis.call('HGET', KEYS[3], ARGV[1])
if not e then return {'missing', '', 0} end
local f = {}
for w in string.gmatch(e, '%S+') do f[#f + 1] = w end
if f[1] ~= 'c' and f[1] ~= 'a' then return {'final', e, 0} end
if f[2] ~= '0' or (f[1] == 'a' and f[4] ~= ARGV[2]) then return {'fenced', e, 0} end
local member, score = f[8], tonumber(f[7])
local returned = 0
if (ARGV[3] ~= 'timed' or score > tonumber(ARGV[4])) and redis.call('ZREM', KEYS[2], member) == 1 then
  redis.call('ZADD', KEYS[1], score, member)
  returned = 1
end
local t = redis.call('TIME')
local keep = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[6])
local entry = 'f 0 ' .. f[3] .. ' ' .. ARGV[5] .. ' 0 ' .. keep .. ' 0 -'
redis.call('HSET', KEYS[3], ARGV[1], entry)
redis.call('PEXPIRE', KEYS[3], ARGV[6])
return {'ok', entry, returned}

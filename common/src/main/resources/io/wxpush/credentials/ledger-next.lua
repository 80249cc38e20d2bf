-- Send ledger, step 3 for a dead credential (attempting -> claimed with the next one): WeChat
-- refused the entry's credential (41028: wrong or expired) on an attempt that was not in doubt,
-- so it is dropped and the next live entry of the pool is claimed for the same (push, user).
-- Fenced: only the owner of the attempt, and never while the send is in doubt (a push never moves
-- to another credential while an earlier send of it may have been delivered).
-- KEYS[1] the pool ZSET   KEYS[2] the user's spent ZSET   KEYS[3] the user's ledger HASH
-- ARGV[1] requestId   ARGV[2] owner id   ARGV[3] mode 'timed'|'grant' (as ledger-claim.lua)
-- ARGV[4] now ms   ARGV[5] timed mode: drop entries expiring before this ms
-- ARGV[6] ledger retention ms   ARGV[7] grant mode: how long a spent grant is remembered, ms
-- ARGV[8] reason recorded when the pool is empty (the final entry 'n')
-- Returns {'claimed', entry} | {'none', entry} (nothing left: final 'n') | {'fenced', entry} |
--   {'final', entry} | {'missing', ''}
-- entry: 'state doubt attempts owner-or-reason leaseUntilMs keepUntilMs score member'
local e = redis.call('HGET', KEYS[3], ARGV[1])
if not e then return {'missing', ''} end
local f = {}
for w in string.gmatch(e, '%S+') do f[#f + 1] = w end
if f[1] ~= 'c' and f[1] ~= 'a' then return {'final', e} end
if f[1] ~= 'a' or f[4] ~= ARGV[2] or f[2] ~= '0' then return {'fenced', e} end
local t = redis.call('TIME')
local keep = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[6])
local now = tonumber(ARGV[4])
local timed = ARGV[3] == 'timed'
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
if timed then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5]) end
local popped = redis.call('ZPOPMIN', KEYS[1])
local entry, status
if #popped == 0 then
  entry = 'n 0 ' .. f[3] .. ' ' .. ARGV[8] .. ' 0 ' .. keep .. ' 0 -'
  status = 'none'
else
  local member, score = popped[1], popped[2]
  local forgetAt = tonumber(score)
  if not timed then forgetAt = now + tonumber(ARGV[7]) end
  redis.call('ZADD', KEYS[2], forgetAt, member)
  entry = 'c 0 ' .. f[3] .. ' - 0 ' .. keep .. ' ' .. score .. ' ' .. member
  status = 'claimed'
end
redis.call('HSET', KEYS[3], ARGV[1], entry)
redis.call('PEXPIRE', KEYS[3], ARGV[6])
return {status, entry}

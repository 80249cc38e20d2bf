-- Send ledger, step 1 (-> claimed): claims one credential entry of a user for one push, or returns
-- the push's ledger entry for this user when it has one (a redelivered or duplicated task).
-- Atomically: drops the expired, pops the live entry that expires soonest (grants: the oldest),
-- marks it spent, and writes the entry 'c' (claimed). An empty pool writes the final entry 'n'
-- (no credential), so every delivery of the task comes to the same answer.
-- KEYS[1] the pool ZSET   KEYS[2] the user's spent ZSET   KEYS[3] the user's ledger HASH (field = requestId)
-- ARGV[1] requestId
-- ARGV[2] mode: 'timed' (the form_id/prepay_id pool, scored by expiry) or 'grant' (grants of one
--         template, scored by collection time; they do not expire)
-- ARGV[3] now, ms (wall clock; credentials expire by it)
-- ARGV[4] timed mode: entries expiring before this (ms) are dropped, not claimed (now + margin)
-- ARGV[5] how long a ledger entry is kept after its last change, ms
-- ARGV[6] grant mode: how long a spent grant is remembered (so a redelivered upload cannot bring it back), ms
-- Returns {'existing'|'claimed'|'none', entry}; entry is the ledger entry as stored:
--   'state doubt attempts owner-or-reason leaseUntilMs keepUntilMs score member'
--   state c|a|s|f|u|n, doubt 0|1, '-' for no owner/reason/member; times are Redis TIME in ms.
local existing = redis.call('HGET', KEYS[3], ARGV[1])
if existing then return {'existing', existing} end
local t = redis.call('TIME')
local rnow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local keep = rnow + tonumber(ARGV[5])
-- entries of pushes long finished leave the user's ledger here (the key's own TTL covers a user who gets no more pushes)
if redis.call('HLEN', KEYS[3]) >= 8 then
  local all = redis.call('HGETALL', KEYS[3])
  for i = 1, #all, 2 do
    local n, keepUntil = 0, nil
    for w in string.gmatch(all[i + 1], '%S+') do
      n = n + 1
      if n == 6 then keepUntil = tonumber(w) break end
    end
    if keepUntil and keepUntil < rnow then redis.call('HDEL', KEYS[3], all[i]) end
  end
end
local now = tonumber(ARGV[3])
local timed = ARGV[2] == 'timed'
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
if timed then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4]) end
local popped = redis.call('ZPOPMIN', KEYS[1])
local entry
local status
if #popped == 0 then
  entry = 'n 0 0 none 0 ' .. keep .. ' 0 -'
  status = 'none'
else
  local member, score = popped[1], popped[2]
  local forgetAt = tonumber(score)
  if not timed then forgetAt = now + tonumber(ARGV[6]) end
  redis.call('ZADD', KEYS[2], forgetAt, member)
  entry = 'c 0 0 - 0 ' .. keep .. ' ' .. score .. ' ' .. member
  status = 'claimed'
end
redis.call('HSET', KEYS[3], ARGV[1], entry)
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return {status, entry}

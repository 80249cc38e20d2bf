-- Records the final outcome of one user of one push, once: a redelivered task records nothing
-- more. Marks the push done when the fan-out has finished and every target has an outcome.
-- KEYS[1] status HASH   KEYS[2] reasons HASH   KEYS[3] outcomes HASH (openId -> outcome code)
-- ARGV[1] openId   ARGV[2] outcome code (s|n|f|u)   ARGV[3] counter field   ARGV[4] reason or ''
-- Returns 1 when recorded now, 0 when this user already had an outcome.
-- The per-user record and the reasons live as long as the status: each gets its TTL when created.
local function expire_with_status(key)
  if redis.call('PTTL', key) == -1 then
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  end
end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then return 0 end
expire_with_status(KEYS[3])
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
if ARGV[4] ~= '' then
  redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
  expire_with_status(KEYS[2])
end
local s = redis.call('HMGET', KEYS[1], 'fanoutDone', 'targets', 'sent', 'noCredential', 'failed', 'unknown')
if s[1] == '1' then
  local finished = (tonumber(s[3]) or 0) + (tonumber(s[4]) or 0) + (tonumber(s[5]) or 0) + (tonumber(s[6]) or 0)
  if finished >= (tonumber(s[2]) or 0) then redis.call('HSET', KEYS[1], 'state', 'done') end
end
return 1

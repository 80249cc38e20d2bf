-- Records the final outcome of one user of one push, once: a redelivered task records nothing
-- more. Marks the push done (cancelled, if it was) when the fan-out has finished and every target
-- has an outcome.
-- KEYS[1] status HASH   KEYS[2] reasons HASH   KEYS[3] the user's outcome bucket HASH (user hash -> outcome code)
-- ARGV[1] the user's hash (PushStatusStore.userField)   ARGV[2] outcome code (s|n|f|u)   ARGV[3] counter field
-- ARGV[4] reason or ''   ARGV[5] LEDGER_GRACE ms   ARGV[6] the push's horizon (Redis time, ms)
-- Returns 1 when recorded now, 0 when this user already had an outcome.
-- The bucket lives as long as the user's final ledger entry may (the grace time from now, at least
-- the push's horizon): after that a done push keeps only its counters. The reasons live as long
-- as the status.
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then return 0 end
local t = redis.call('TIME')
local rnow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local keep = math.max(tonumber(ARGV[5]), tonumber(ARGV[6]) - rnow)
if redis.call('PTTL', KEYS[3]) < keep then redis.call('PEXPIRE', KEYS[3], keep) end
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
if ARGV[4] ~= '' then
  redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
  if redis.call('PTTL', KEYS[2]) == -1 then
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
  end
end
local s = redis.call('HMGET', KEYS[1], 'fanoutDone', 'targets', 'sent', 'noCredential', 'failed', 'unknown', 'cancelled', 'cancel')
if s[1] == '1' then
  local finished = (tonumber(s[3]) or 0) + (tonumber(s[4]) or 0) + (tonumber(s[5]) or 0) + (tonumber(s[6]) or 0) + (tonumber(s[7]) or 0)
  if finished >= (tonumber(s[2]) or 0) then
    redis.call('HSET', KEYS[1], 'state', s[8] == '1' and 'cancelled' or 'done')
    redis.call('HSETNX', KEYS[1], 'finishedAt', tostring(rnow))
  end
end
return 1

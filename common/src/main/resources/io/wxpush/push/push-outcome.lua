-- Records the final outcome of one user of one push, once: a redelivered task records nothing
-- more. Knowledge only grows: 'sent' for a user recorded 'unknown' upgrades it (unknown −1, sent +1,
-- its reason uncounted), never the other way. Then FINISH (push_finish, push-lib.lua): the push is
-- done (cancelled, if it was) when the fan-out has finished and every target has an outcome.
-- KEYS[1] status HASH   KEYS[2] reasons HASH   KEYS[3] the user's outcome bucket HASH (user hash -> outcome code;
--   'u:<reason>' for an unknown one with a reason, 's:<msgid>' for a sent one whose WeChat msgid is known)
-- ARGV[1] the user's hash (PushStatusStore.userField)   ARGV[2] outcome code (s|n|f|u|c)   ARGV[3] counter field
-- ARGV[4] reason or ''   ARGV[5] LEDGER_GRACE ms   ARGV[6] the push's horizon (Redis time, ms)
-- ARGV[7] (optional) WeChat's msgid of a sent message, '0' or absent for none: kept for GET …/users/{openId}
-- Returns 1 when recorded (or upgraded) now, 0 when this user already had an outcome or the push's status is gone.
-- The bucket lives as long as the user's final ledger entry may (the grace time from now, at least
-- the push's horizon): after that a done push keeps only its counters. The reasons live as long
-- as the status.
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end -- the status expired: counting would recreate it without a TTL
local sent = 's'
if ARGV[7] and ARGV[7] ~= '' and ARGV[7] ~= '0' then sent = 's:' .. ARGV[7] end
local before = redis.call('HGET', KEYS[3], ARGV[1])
if before then
  if ARGV[2] ~= 's' or string.sub(before, 1, 1) ~= 'u' then return 0 end
  redis.call('HSET', KEYS[3], ARGV[1], sent)
  redis.call('HINCRBY', KEYS[1], 'unknown', -1)
  redis.call('HINCRBY', KEYS[1], 'sent', 1)
  local was = string.sub(before, 3)
  if was ~= '' and redis.call('HINCRBY', KEYS[2], was, -1) <= 0 then redis.call('HDEL', KEYS[2], was) end
  push_finish(KEYS[1])
  return 1
end
local code = ARGV[2]
if code == 'u' and ARGV[4] ~= '' then code = 'u:' .. ARGV[4] end
if code == 's' then code = sent end
redis.call('HSET', KEYS[3], ARGV[1], code)
local rnow = push_now_ms()
local keep = math.max(tonumber(ARGV[5]), tonumber(ARGV[6]) - rnow)
if redis.call('PTTL', KEYS[3]) < keep then redis.call('PEXPIRE', KEYS[3], keep) end
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
if ARGV[4] ~= '' then
  redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
  if ttl > 0 and redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIRE', KEYS[2], ttl) end
end
push_finish(KEYS[1])
return 1

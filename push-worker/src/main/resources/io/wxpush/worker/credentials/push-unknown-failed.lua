-- A user of a push recorded 'unknown' whom WeChat's own sent event reports failed (ErrorCode ≠ 0,
-- for a send whose answer was lost): unknown −1, failed +1, the unknown's reason uncounted and the
-- new reason counted, once (the user's outcome becomes 'f'). WeChat's word is the one exception to
-- "knowledge only grows" (push-outcome.lua): nothing else turns an outcome from unknown into failed.
-- KEYS[1] status HASH   KEYS[2] reasons HASH   KEYS[3] the user's outcome bucket HASH
-- ARGV[1] the user's field (RedisKeys.outcomeField)   ARGV[2] reason
-- Returns 1 when changed now, 0 when the user is not 'unknown' (already changed, or never) or the push is gone.
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end
local before = redis.call('HGET', KEYS[3], ARGV[1])
if not before or string.sub(before, 1, 1) ~= 'u' then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], 'f')
redis.call('HINCRBY', KEYS[1], 'unknown', -1)
redis.call('HINCRBY', KEYS[1], 'failed', 1)
local was = string.sub(before, 3)
if was ~= '' and redis.call('HINCRBY', KEYS[2], was, -1) <= 0 then redis.call('HDEL', KEYS[2], was) end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if ttl > 0 and redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1

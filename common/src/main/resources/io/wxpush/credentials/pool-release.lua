-- Returns a claimed but unspent entry to its pool (the send failed for a reason that did not
-- use it up), and forgets the push's claim so a later attempt claims afresh.
-- KEYS[1] the pool ZSET   KEYS[2] the user's spent ZSET   KEYS[3] the claim record of (push, user)
-- ARGV[1] member   ARGV[2] score   ARGV[3] now ms (an expired entry is not returned)
-- Returns 1 when returned to the pool, 0 otherwise.
local current = redis.call('GET', KEYS[3])
if current and string.sub(current, -string.len(ARGV[1])) == ARGV[1] then redis.call('DEL', KEYS[3]) end
if tonumber(ARGV[2]) <= tonumber(ARGV[3]) then return 0 end
if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1

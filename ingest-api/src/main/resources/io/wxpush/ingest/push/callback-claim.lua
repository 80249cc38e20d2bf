-- Claims up to ARGV[3] due callbacks of an app for one dispatcher: each due member's score moves to
-- now + lease, so another dispatcher (another ingest-api) does not take it meanwhile; a dispatcher
-- that dies leaves it due again when the lease runs out.
-- KEYS[1] the app's callback ZSET (requestId → next attempt, ms)   ARGV[1] now ms   ARGV[2] lease ms   ARGV[3] limit
-- Returns the claimed requestIds.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', tonumber(ARGV[1]) + tonumber(ARGV[2]), id) end
return due

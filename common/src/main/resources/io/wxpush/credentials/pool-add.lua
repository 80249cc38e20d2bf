-- Adds one credential entry to a user's pool, unless it was already handed to a sender.
-- Idempotent: a redelivered record changes nothing.
-- KEYS[1] the pool ZSET (template pool, or grants of one template)
-- KEYS[2] the user's spent ZSET
-- KEYS[3] the user's grant-template SET (only touched when ARGV[5] is not empty)
-- ARGV[1] member (entry id)   ARGV[2] score (expiry ms, or collection ms for grants)
-- ARGV[3] now ms              ARGV[4] per-pool cap (keep the highest scores = freshest)
-- ARGV[5] template id of a grant, or ''
-- Returns 1 when added, 0 when already present or already spent, -1 when expired.
local now = tonumber(ARGV[3])
if ARGV[5] == '' and tonumber(ARGV[2]) <= now then return -1 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
if ARGV[5] ~= '' then redis.call('SADD', KEYS[3], ARGV[5]) end
local cap = tonumber(ARGV[4])
local size = redis.call('ZCARD', KEYS[1])
if size > cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, size - cap - 1) end
return added

-- Takes the push that sent a msgid (MessageIds.take): its requestId is replaced by '-', so a repeat
-- of the same sent event takes nothing, while the msgid stays known as one wxpush learned.
-- KEYS[1] one shard and hour of the app's msgids (HASH msgid -> requestId | '-')   ARGV[1] msgid
-- Returns the requestId taken now, '-' when it was taken before, nil when the msgid is not here.
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and v ~= '-' then redis.call('HSET', KEYS[1], ARGV[1], '-') end
return v

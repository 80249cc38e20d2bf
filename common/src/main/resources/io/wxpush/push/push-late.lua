-- A message of the push that WeChat reported failed after it was sent (subscribe_msg_sent_event):
-- counted under its reason; the reasons hash lives as long as the status (a first reason creates
-- it: it takes the status's TTL). Nothing is written for a push whose status is gone.
-- KEYS[1] status HASH   KEYS[2] reasons HASH   ARGV[1] reason
-- Returns 1 when counted, 0 when the push is gone.
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if ttl > 0 and redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1

-- A push waits for the end of quiet hours: its status shows when it resumes, and a push that was
-- accepted or fanning out shows as sending (it has begun; nothing more goes out until then).
-- KEYS[1] status HASH   ARGV[1] resumesAt, epoch ms
-- Returns 1 when marked, 0 when the push has no status or is final.
local state = redis.call('HGET', KEYS[1], 'state')
if not state or state == 'done' or state == 'failed' or state == 'cancelled' then return 0 end
redis.call('HSET', KEYS[1], 'resumesAt', ARGV[1])
if state == 'accepted' or state == 'fanning_out' then redis.call('HSET', KEYS[1], 'state', 'sending') end
return 1

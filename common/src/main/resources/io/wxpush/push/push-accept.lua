-- KEYS[1] the request marker HASH (h: body hash, st: publishing|published)   KEYS[2] the status HASH
-- ARGV[1] the body's hash   ARGV[2] retention ms   ARGV[3] appId   ARGV[4] kind   ARGV[5] templateId
-- ARGV[6] now ms   ARGV[7] the state it starts in: 'accepted', or 'scheduled' (sendAt is ahead)
-- Returns 'new' | 'republish' | 'replay' | 'conflict'.
-- Accepts a push under its app's requestId (both keys carry the app: another app's push of the same
-- id is another push, never a replay or a conflict), in two phases: the marker says 'publishing' until Kafka has
-- the request, then 'published' (push-published.lua). With the body's hash beside it, a second
-- request with the same id is told apart: the same body and published → a replay; the same body
-- still publishing (the first answer was a 503, or lost, or the process died) → publish again (the
-- fan-out is idempotent per requestId); another body → a conflict, and nothing changes.
-- The status is created by push_accept (push-lib.lua: ACCEPT).
if redis.call('TYPE', KEYS[1]).ok == 'string' then return 'replay' end -- a marker of a version before the hash
local h = redis.call('HGET', KEYS[1], 'h')
if not h then
  redis.call('HSET', KEYS[1], 'h', ARGV[1], 'st', 'publishing')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  push_accept(KEYS[2], ARGV[7], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
  return 'new'
end
if h ~= ARGV[1] then return 'conflict' end
if redis.call('HGET', KEYS[1], 'st') == 'published' then return 'replay' end
return 'republish'

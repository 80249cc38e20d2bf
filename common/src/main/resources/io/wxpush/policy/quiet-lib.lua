-- Shared by push-quiet.lua and quiet-hold.lua (prepended to each; defines a function only, reads
-- no KEYS or ARGV). Returns: nothing (a library).

-- A push waits for the end of quiet hours: its status shows when it resumes, and a push that was
-- accepted or fanning out shows as sending (it has begun; nothing more goes out until then).
-- Returns 1 when marked, 0 when the push has no status or is final.
local function mark_waiting(status, resumesAtMs)
  local state = redis.call('HGET', status, 'state')
  if not state or state == 'done' or state == 'failed' or state == 'cancelled' then return 0 end
  redis.call('HSET', status, 'resumesAt', resumesAtMs)
  if state == 'accepted' or state == 'fanning_out' then redis.call('HSET', status, 'state', 'sending') end
  return 1
end

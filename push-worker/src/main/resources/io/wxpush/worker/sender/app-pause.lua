-- Pauses an app's sends fleet-wide, keeping whichever pause ends later, in one step: a short
-- 45011 pause never shortens (or relabels) a 45009 pause another sender set a moment before,
-- and a longer pause replaces a shorter one. The stored value is "<untilMs> <errcode>".
-- KEYS[1] the app's pause key
-- ARGV[1] when the new pause ends, epoch ms   ARGV[2] its errcode (45011, 45009)
-- ARGV[3] its time to live in ms (at least 1)
-- Returns the pause in force afterwards, "<untilMs> <errcode>": the stored one when it ends no
-- earlier than the new one, else the new one.
local current = redis.call('GET', KEYS[1])
if current then
  local space = string.find(current, ' ', 1, true)
  local untilMs = tonumber(space and string.sub(current, 1, space - 1) or current)
  if untilMs and untilMs >= tonumber(ARGV[1]) then return current end
end
local value = ARGV[1] .. ' ' .. ARGV[2]
redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
return value

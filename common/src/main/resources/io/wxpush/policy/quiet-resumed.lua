-- A waiting push was resumed: it leaves its app's waiting list only if no task was held since the
-- resume read its mark (a later hold keeps it there, so that task is resumed on the next pass).
-- KEYS[1] the app's waiting ZSET   ARGV[1] requestId   ARGV[2] the mark read
-- Returns 1 when removed.
local mark = redis.call('ZSCORE', KEYS[1], ARGV[1])
if mark and tonumber(mark) == tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0

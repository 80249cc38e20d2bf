-- Marks a push's fan-out finished (or stopped by a cancel), and the push final at once when every
-- target already has its outcome (or there were no targets): 'done', or 'cancelled' if it was.
-- KEYS[1] status HASH
-- Returns the state it leaves: 'sending', 'done' or 'cancelled'.
local t = redis.call('TIME')
local nowMs = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
redis.call('HSET', KEYS[1], 'fanoutDone', '1')
redis.call('HSETNX', KEYS[1], 'fanoutDoneAt', nowMs)
local s = redis.call('HMGET', KEYS[1], 'targets', 'sent', 'noCredential', 'failed', 'unknown', 'state', 'cancelled', 'cancel')
local finished = (tonumber(s[2]) or 0) + (tonumber(s[3]) or 0) + (tonumber(s[4]) or 0) + (tonumber(s[5]) or 0) + (tonumber(s[7]) or 0)
if finished >= (tonumber(s[1]) or 0) then
  local final = s[8] == '1' and 'cancelled' or 'done'
  redis.call('HSET', KEYS[1], 'state', final)
  redis.call('HSETNX', KEYS[1], 'finishedAt', nowMs)
  return final
end
if s[6] ~= 'done' and s[6] ~= 'cancelled' then redis.call('HSET', KEYS[1], 'state', 'sending') end
return 'sending'

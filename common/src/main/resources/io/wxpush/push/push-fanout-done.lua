-- Marks a push's fan-out finished, and the push done at once when every target already has
-- its outcome (or there were no targets).
-- KEYS[1] status HASH
-- Returns the state it leaves: 'sending' or 'done'.
redis.call('HSET', KEYS[1], 'fanoutDone', '1')
local s = redis.call('HMGET', KEYS[1], 'targets', 'sent', 'noCredential', 'failed', 'unknown', 'state')
local finished = (tonumber(s[2]) or 0) + (tonumber(s[3]) or 0) + (tonumber(s[4]) or 0) + (tonumber(s[5]) or 0)
if finished >= (tonumber(s[1]) or 0) then
  redis.call('HSET', KEYS[1], 'state', 'done')
  return 'done'
end
if s[6] ~= 'done' then redis.call('HSET', KEYS[1], 'state', 'sending') end
return 'sending'

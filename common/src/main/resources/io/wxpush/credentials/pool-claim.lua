-- Claims one credential entry of a user for one push, atomically: drop the expired, pop the
-- live entry that expires soonest, mark it spent, and record it as this push's claim.
-- KEYS[1] the pool ZSET   KEYS[2] the user's spent ZSET   KEYS[3] the claim record of (push, user)
-- ARGV[1] now ms
-- ARGV[2] mode: 'new' returns the push's existing claim if it has one (redelivery);
--               'next' drops the existing claim (WeChat refused it) and pops another
-- ARGV[3] drop entries whose score is below this (now + safety margin; '-inf' for grants)
-- ARGV[4] claim record TTL ms
-- ARGV[5] how long a spent entry is remembered when its score is not an expiry (grants), ms
-- Returns {'existing'|'claimed'|'none', member, score}
local existing = redis.call('GET', KEYS[3])
if existing and ARGV[2] == 'new' then
  local sep = string.find(existing, ' ', 1, true)
  return {'existing', string.sub(existing, sep + 1), string.sub(existing, 1, sep - 1)}
end
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
if ARGV[3] ~= '-inf' then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3]) end
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then
  if existing then redis.call('DEL', KEYS[3]) end
  return {'none', '', '0'}
end
local member, score = popped[1], popped[2]
local forgetAt = tonumber(score)
if ARGV[3] == '-inf' then forgetAt = now + tonumber(ARGV[5]) end
redis.call('ZADD', KEYS[2], forgetAt, member)
redis.call('SET', KEYS[3], score .. ' ' .. member, 'PX', ARGV[4])
return {'claimed', member, score}

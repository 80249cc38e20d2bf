-- Stamps a push's run once (PushRun): its short id, its horizon and its outcome buckets. The first
-- caller's stamp wins; a fan-out resumed after a crash, or a sender of a version-1 task, reads it.
-- KEYS[1] status HASH
-- ARGV[1] a fresh short id (from the app's seq counter)   ARGV[2] LEDGER_GRACE ms   ARGV[3] outcome buckets
-- Returns {id, untilMs, buckets}: the run as stamped (the horizon: Redis time now + the grace).
if redis.call('HSETNX', KEYS[1], 'run', ARGV[1]) == 1 then
  local t = redis.call('TIME')
  local rnow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('HSET', KEYS[1], 'until', tostring(rnow + tonumber(ARGV[2])), 'buckets', ARGV[3], 'startedAt', tostring(rnow))
end
local r = redis.call('HMGET', KEYS[1], 'run', 'until', 'buckets')
return {r[1], tonumber(r[2]), tonumber(r[3])}

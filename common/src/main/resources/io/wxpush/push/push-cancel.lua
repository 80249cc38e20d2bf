-- Cancels a push: marks it so that the fan-out stops at its next page and senders start no send
-- of it; a push whose fan-out never started, or whose every target already has its outcome, is
-- cancelled at once (a scheduled one: the caller then takes it off the app's schedule, another slot).
-- KEYS[1] status HASH
-- Returns 'missing' | 'final' (done, failed or cancelled already: nothing to cancel) | 'cancelling' | 'cancelled'.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state == 'done' or state == 'failed' or state == 'cancelled' then return 'final' end
local t = redis.call('TIME')
local nowMs = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
redis.call('HSET', KEYS[1], 'cancel', '1')
redis.call('HSETNX', KEYS[1], 'cancelledAt', nowMs)
if state == 'scheduled' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'fanoutDone', '1')
  redis.call('HSETNX', KEYS[1], 'finishedAt', nowMs)
  return 'cancelled'
end
return 'cancelling'

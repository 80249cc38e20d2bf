-- Before a retry round publishes tasks for some users of a push: each user whose recorded outcome
-- is 'f' (failed, surely not sent) loses it, so that the retry's outcome counts instead, and the
-- push goes back to 'sending'. Users with any other outcome (sent, unknown, …) keep it: their
-- retry task finds them done and sends nothing.
-- KEYS[1] status HASH   KEYS[2..] the outcome bucket of each user, in the order of ARGV
-- ARGV[1..] the users' fields (PushStatusStore.userField)
-- Returns how many outcomes were taken back.
local n = 0
for i = 1, #ARGV do
  if redis.call('HGET', KEYS[i + 1], ARGV[i]) == 'f' then
    redis.call('HDEL', KEYS[i + 1], ARGV[i])
    n = n + 1
  end
end
if n > 0 then
  redis.call('HINCRBY', KEYS[1], 'failed', -n)
  redis.call('HSET', KEYS[1], 'state', 'sending')
end
return n

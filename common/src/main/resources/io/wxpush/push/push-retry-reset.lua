-- Before a retry round publishes tasks for some users of a push: each user whose recorded outcome
-- is 'f' (failed, surely not sent) loses it, so that the retry's outcome counts instead, and a done
-- push sends again (RETRY_ROUND, push_retry_round in push-lib.lua). Users with any other outcome
-- (sent, unknown, …) keep it: their retry task finds them done and sends nothing.
-- KEYS[1] status HASH   KEYS[2..] the outcome bucket of each user, in the order of ARGV
-- ARGV[1..] the users' fields (PushStatusStore.userField)
-- Returns how many outcomes were taken back; -1 when the push may not be retried (nothing changed).
local buckets = {}
for i = 2, #KEYS do buckets[i - 1] = KEYS[i] end
return push_retry_round(KEYS[1], buckets, ARGV)

-- The sweep of one user's pool: drops what ran out (expired entries, forgotten spent marks, final
-- ledger entries past their keep time) and gives a pool with no live entry its TTL.
-- KEYS[1] the pool ZSET   KEYS[2] the user's ledger HASH (a pool given a TTL outlives the user's sends
-- in flight: keep_alive in ledger-lib.lua)   ARGV[1] mode 'timed'|'grant'   ARGV[2] now ms (wall clock)
-- Returns {live entries left, final ledger entries left, the soonest live entry's score (0: none),
-- standing permissions held (timed pool)}. A user stays in the index while either is
-- non-zero (or a standing permission is held): the sweep must come back for a final entry once its grace time has passed (a user who
-- ran dry is then a cheap 'no credential' for a broadcast meanwhile); with neither, the pool holds
-- at most spent marks and expires with the last of them.
trim(KEYS[1], ARGV[1] == 'timed', tonumber(ARGV[2]), tonumber(ARGV[2]), redis_now())
keep_alive(KEYS[1], KEYS[2])
local first = redis.call('ZRANGEBYSCORE', KEYS[1], '(0', '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
return {live_count(KEYS[1]), redis.call('ZCOUNT', KEYS[1], '-inf', -(LEDGER_BASE + 1)), #first > 0 and tonumber(first[2]) or 0,
  redis.call('ZCOUNT', KEYS[1], 0, 0)}

-- Adds credential entries to one of a user's pools, skipping those already there (live, or spent:
-- the spent mark is the same member) and (timed pool) those already expired. Idempotent: a
-- redelivered batch changes nothing. One call per pool and batch, so a user's upload costs one
-- script call, not one per entry. (Layout: ledger-lib.lua.)
-- KEYS[1] the pool ZSET (form_id/prepay_id pool, or grants of one template)
-- ARGV[1] now ms   ARGV[2] per-pool cap on live entries (the highest scores = freshest are kept)
-- ARGV[3] mode: 'timed' (the form_id/prepay_id pool) or 'grant'
-- ARGV[4], ARGV[5], ...       score, member pairs (score: expiry, or collection time for grants, in
--                             seconds; member: entry id); at most a few hundred pairs per call
-- Returns how many entries were added (0 when all were present, spent or expired).
local grant = ARGV[3] == 'grant'
local nowSec = tonumber(ARGV[1]) / 1000
local add = {}
for i = 4, #ARGV, 2 do
  if grant or tonumber(ARGV[i]) > nowSec then
    add[#add + 1] = ARGV[i]
    add[#add + 1] = ARGV[i + 1]
  end
end
if #add == 0 then return 0 end
local added = redis.call('ZADD', KEYS[1], 'NX', unpack(add))
if added == 0 then return 0 end
local cap = tonumber(ARGV[2])
local live = live_count(KEYS[1])
if live > cap then
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(0', '+inf', 'LIMIT', 0, live - cap)
  redis.call('ZREM', KEYS[1], unpack(oldest))
end
redis.call('PERSIST', KEYS[1])
return added

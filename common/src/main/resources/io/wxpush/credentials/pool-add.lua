-- Adds credential entries to one of a user's pools, skipping those already there (live, or spent:
-- the spent mark is the same member) and (timed pool) those already expired. Idempotent: a
-- redelivered batch changes nothing. One call per pool and batch, so a user's upload costs one
-- script call, not one per entry. (Layout: ledger-lib.lua.)
-- KEYS[1] the pool ZSET (form_id/prepay_id pool, or grants of one template)
-- KEYS[2] (grant mode) the SET of templates the user holds grants for (same hash tag as KEYS[1])
-- ARGV[1] now ms   ARGV[2] per-pool cap on live entries (the highest scores = freshest are kept)
-- ARGV[3] mode: 'timed' (the form_id/prepay_id pool), 'grant' or 'standing' (long-term templates'
--   permissions, members 'L<tag>' at score 0 in the form_id/prepay_id pool: ledger-lib.lua)
-- standing mode: ARGV[4] how long a revoked permission is remembered, ms; then collection time (s),
--             member pairs. A permission held already adds nothing; one revoked after the accept
--             was collected (its spent mark: forget-at = revoked-at + ARGV[4]) stays revoked.
-- grant mode: ARGV[4] most templates a user may hold grants for, ARGV[5] this pool's template id,
--             ARGV[6] that set's TTL in ms, ARGV[7] match window in seconds (0: none): a grant
--             from an event (member 's:ev…') and one from the client within it are one accept
-- then        score, member pairs (score: expiry, or collection time for grants, in seconds;
--             member: entry id); at most a few hundred pairs per call
-- Returns how many entries were added (0 when all were present, spent or expired), or -1 when a
-- grant of a template new to the user was refused: the user holds grants of the most templates.
if ARGV[3] == 'standing' then
  local memory, added = tonumber(ARGV[4]) / 1000, 0
  for i = 5, #ARGV, 2 do
    local collected, member = tonumber(ARGV[i]), ARGV[i + 1]
    local s = redis.call('ZSCORE', KEYS[1], member)
    if not s or (tonumber(s) < 0 and collected > -tonumber(s) - memory) then
      redis.call('ZADD', KEYS[1], 0, member)
      added = added + 1
    end
  end
  if added > 0 then redis.call('PERSIST', KEYS[1]) end
  return added
end
local grant = ARGV[3] == 'grant'
local nowSec = tonumber(ARGV[1]) / 1000
local first = 4
local window = 0
if grant then
  first = 8
  window = tonumber(ARGV[7])
  local templates, cap, template = KEYS[2], tonumber(ARGV[4]), ARGV[5]
  if redis.call('SISMEMBER', templates, template) == 0 then
    if redis.call('SCARD', templates) >= cap then
      -- forget templates whose grants are all spent; their pools share this pool's name up to the id
      local base = string.sub(KEYS[1], 1, #KEYS[1] - #template)
      for _, held in ipairs(redis.call('SMEMBERS', templates)) do
        if live_count(base .. held) == 0 then redis.call('SREM', templates, held) end
      end
    end
    if redis.call('SCARD', templates) >= cap and live_count(KEYS[1]) == 0 then return -1 end
    redis.call('SADD', templates, template)
  end
  redis.call('PEXPIRE', templates, ARGV[6])
end
local add = {}
local function matched(score, member)
  local fromEvent = string.sub(member, 1, 4) == 's:ev'
  for _, other in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], score - window, score + window)) do
    if (string.sub(other, 1, 4) == 's:ev') ~= fromEvent then return true end
  end
  return false
end
for i = first, #ARGV, 2 do
  if (grant and (window == 0 or not matched(tonumber(ARGV[i]), ARGV[i + 1]))) or (not grant and tonumber(ARGV[i]) > nowSec) then
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

-- Adds credential entries to one of a user's pools, skipping those already handed to a sender
-- and (form_id/prepay_id) those already expired. Idempotent: a redelivered batch changes nothing.
-- One call per pool and batch, so a user's upload costs one script call, not one per entry.
-- KEYS[1] the pool ZSET (template pool, or grants of one template)
-- KEYS[2] the user's spent ZSET
-- KEYS[3] the user's grant-template SET (only touched when ARGV[3] is not empty)
-- ARGV[1] now ms              ARGV[2] per-pool cap (keep the highest scores = freshest)
-- ARGV[3] template id of grants, or '' for the form_id/prepay_id pool
-- ARGV[4], ARGV[5], ...       score, member pairs (score: expiry ms, or collection ms for grants;
--                             member: entry id); at most a few hundred pairs per call
-- Returns how many entries were added (0 when all were present, spent or expired).
local now = tonumber(ARGV[1])
local grant = ARGV[3] ~= ''
local add = {}
for i = 4, #ARGV, 2 do
  local score, member = ARGV[i], ARGV[i + 1]
  if (grant or tonumber(score) > now) and not redis.call('ZSCORE', KEYS[2], member) then
    add[#add + 1] = score
    add[#add + 1] = member
  end
end
if #add == 0 then return 0 end
local added = redis.call('ZADD', KEYS[1], 'NX', unpack(add))
if grant then redis.call('SADD', KEYS[3], ARGV[3]) end
local cap = tonumber(ARGV[2])
local size = redis.call('ZCARD', KEYS[1])
if size > cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, size - cap - 1) end
return added

-- Dry run: what a push's first claim for one user would do now, and changes nothing — the read-only
-- twin of take() and take_standing() in ledger-lib.lua (prepended): no trim, no pop, no TTL touched.
-- What take() would trim first is left out of the counts instead.
-- KEYS[1] the pool the push spends from (the user's form_id/prepay_id pool, or a one-time template's grants)
-- KEYS[2] the user's ledger HASH (sends of other pushes in flight count towards the cap)
-- KEYS[3] the user's form_id/prepay_id pool (the day's counter 'c'; a long-term template's permission)
-- KEYS[4] long-term mode only: the template's grants pool (live grants there become the permission on first use)
-- ARGV[1] mode: 'timed' | 'grant' | 'L<tag>' (a long-term template's permission member)
-- ARGV[2] timed mode: the earliest expiry a claim takes, epoch s (entries expiring sooner are dropped: now + margin)
-- ARGV[3] the policy's cap (0: none)   ARGV[4] the day's end for the cap, epoch s   ARGV[5] '1': reserve the last entry
-- ARGV[6] now, epoch s (the recall audience: the soonest live expiry after it)
-- Returns {verdict, member, soonest, standing}: verdict 'claim' | 'none' | 'capped' | 'reserved' (take()'s order); member the
-- entry a claim would spend ('' unless 'claim'); soonest the expiry of the user's soonest live form_id/prepay_id
-- after now, epoch s (0: none), as the recall's fan-out reads it; and (long-term mode) 1 when the user holds the
-- permission itself (an everyone-push of the template picks out only those), else 0.
local p = policy_args(3)
local soonest = 0
local first = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. ARGV[6], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
if #first > 0 then soonest = tonumber(first[2]) end
local function capped()
  return p.cap > 0 and sent_today(KEYS[3], p.dayEnd) + redis.call('HLEN', KEYS[2]) >= p.cap
end
if is_standing(ARGV[1]) then
  local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
  local standing = 0
  if s and tonumber(s) == 0 then standing = 1 end
  local held = standing == 1 or (not s and KEYS[4] and live_count(KEYS[4]) > 0)
  if not held then return {'none', '', soonest, standing} end
  if capped() then return {'capped', '', soonest, standing} end
  return {'claim', ARGV[1], soonest, standing}
end
local min = '(0'
if ARGV[1] == 'timed' then min = ARGV[2] end
local live = redis.call('ZCOUNT', KEYS[1], min, '+inf')
if live == 0 then return {'none', '', soonest, 0} end
if capped() then return {'capped', '', soonest, 0} end
if p.reserve and live == 1 then return {'reserved', '', soonest, 0} end
local spend = redis.call('ZRANGEBYSCORE', KEYS[1], min, '+inf', 'LIMIT', 0, 1)
return {'claim', spend[1], soonest, 0}

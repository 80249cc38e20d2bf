-- A user rejected a template (in a popup or in settings): every live grant of it is spent at once,
-- left as a spent mark (so a late retry of the accept event that made it adds nothing) that is
-- forgotten at ARGV[1]. Ledger entries and earlier marks stay. (Layout: ledger-lib.lua.)
-- KEYS[1] the grants pool of one user and template   KEYS[2] the user's ledger HASH (a pool given a TTL
-- outlives the user's sends in flight: keep_alive in ledger-lib.lua)   ARGV[1] forget-at, epoch seconds
-- KEYS[3], ARGV[2] (a long-term template): the user's form_id/prepay_id pool and the permission's
--   member: the standing permission ends too (and is remembered as rejected until ARGV[1]).
-- Returns how many grants (and permissions) were dropped.
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(0', '+inf')
for _, member in ipairs(live) do
  redis.call('ZADD', KEYS[1], -tonumber(ARGV[1]), member)
end
keep_alive(KEYS[1], KEYS[2])
local standing = 0
if KEYS[3] then
  if redis.call('ZSCORE', KEYS[3], ARGV[2]) == '0' then standing = 1 end
  revoke_standing(KEYS[3], ARGV[2], tonumber(ARGV[1]), KEYS[2])
end
return #live + standing

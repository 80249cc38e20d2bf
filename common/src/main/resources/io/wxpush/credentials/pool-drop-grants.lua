-- A user rejected a template (in a popup or in settings): every live grant of it is spent at once,
-- left as a spent mark (so a late retry of the accept event that made it adds nothing) that is
-- forgotten at ARGV[1]. Ledger entries and earlier marks stay. (Layout: ledger-lib.lua.)
-- KEYS[1] the grants pool of one user and template   ARGV[1] forget-at, epoch seconds
-- Returns how many grants were dropped.
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(0', '+inf')
for _, member in ipairs(live) do
  redis.call('ZADD', KEYS[1], -tonumber(ARGV[1]), member)
end
keep_alive(KEYS[1])
return #live

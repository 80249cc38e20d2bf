-- One user's send-ledger entry of a push, read-only (ledger-lib.lua prepended): the entry of the newest run
-- that has one — a retry round's before the push's own — in flight (the ledger hash) or final (the pool).
-- KEYS[1] the pool the push spends from   KEYS[2] the user's ledger HASH
-- ARGV[1..n] the push's run ids, newest first (its retry rounds '<run>.<k>', then its run)
-- Returns {nowMs, entry, runId}: Redis time now (ms, the clock of the entries' keep times), the entry in its
-- string form (see ledger-lib.lua; '' when no run has one) and the run it belongs to ('' with none).
local now = redis_now()
for i = 1, #ARGV do
  local e = find(KEYS[1], KEYS[2], ARGV[i])
  if e then return {now, e, ARGV[i]} end
end
return {now, '', ''}

-- Send ledger: the entry of one (push, user), in flight or final, read-only.
-- KEYS[1] the pool ZSET   KEYS[2] the user's ledger HASH   ARGV[1] push id
-- Returns the entry (see ledger-lib.lua), or '' when there is none.
return find(KEYS[1], KEYS[2], ARGV[1]) or ''

-- A push waits for the end of quiet hours (mark_waiting, quiet-lib.lua).
-- KEYS[1] status HASH   ARGV[1] resumesAt, epoch ms
-- Returns 1 when marked, 0 when the push has no status or is final.
return mark_waiting(KEYS[1], ARGV[1])

-- A push waits for the end of quiet hours (a fan-out paused between pages, or a window moved):
-- HOLD (push_hold, push-lib.lua).
-- KEYS[1] status HASH   ARGV[1] resumesAt, epoch ms
-- Returns 1 when marked, 0 when the push has no status or is final.
return push_hold(KEYS[1], ARGV[1])

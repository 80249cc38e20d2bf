-- Quiet hours are over for a push: RESUME (push_resume, push-lib.lua) clears its resumesAt.
-- KEYS[1] status HASH
-- Returns 1, 0 when refused (no status, or final).
return push_resume(KEYS[1])

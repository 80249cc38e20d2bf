-- A push request that cannot be processed (malformed, or failing every try): FAIL (push_fail,
-- push-lib.lua), creating its status if it has none; a final push keeps its state.
-- KEYS[1] status HASH   ARGV[1] reason   ARGV[2] appId or ''   ARGV[3] retention ms
-- Returns 1 when failed now, 0 when refused.
return push_fail(KEYS[1], ARGV[1], ARGV[2], ARGV[3])

-- Stamps a push's run once (PushRun): its short id, its horizon and its outcome buckets; the fan-out
-- has begun (START_RUN, push_start_run in push-lib.lua). The first caller's stamp wins; a fan-out
-- resumed after a crash, or a sender of a version-1 task, reads it.
-- KEYS[1] status HASH
-- ARGV[1] a fresh short id (from the app's seq counter)   ARGV[2] LEDGER_GRACE ms   ARGV[3] outcome buckets
-- Returns {id, untilMs, buckets}: the run as stamped (the horizon: Redis time then + the grace); nils
-- (false) when the push has no stamp and the table refuses to start it (no status, or final).
return push_start_run(KEYS[1], ARGV[1], ARGV[2], ARGV[3])

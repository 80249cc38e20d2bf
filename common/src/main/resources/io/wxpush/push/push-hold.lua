-- A sender holds back one task of a push in quiet hours: its user, with the run the task carries
-- (a retry round's own run; released under it), into the bucket's hash, the bucket into the push's
-- list of held buckets (both live as long as a push's status), then HOLD (push_hold, push-lib.lua).
-- KEYS[1] the held bucket HASH (openId -> 'runId|untilMs|buckets')   KEYS[2] the held-buckets SET   KEYS[3] status HASH
-- ARGV[1] openId   ARGV[2] bucket   ARGV[3] keep ms   ARGV[4] resumesAt, epoch ms   ARGV[5] the task's run
-- Returns 1.
redis.call('HSET', KEYS[1], ARGV[1], ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
push_hold(KEYS[3], ARGV[4])
return 1

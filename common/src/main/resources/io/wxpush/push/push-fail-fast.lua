-- Marks a push failed as a whole (a request-level WeChat error: no more credentials are spent on
-- it), the first reason kept; a push whose status is gone (expired) is not recreated without a TTL.
-- KEYS[1] status HASH   ARGV[1] reason
-- Returns 1 when marked now, 0 when it was marked already or has no status.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'failFast', ARGV[1])

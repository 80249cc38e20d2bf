-- Appends one audit record to its app's stream and keeps the stream within its budget: about
-- ARGV[1] entries (approximate trimming, so a little more), none older than ARGV[2], and the whole
-- key gone ARGV[3] ms after the last append (an app without changes keeps nothing).
-- KEYS[1] the app's audit stream   ARGV[1] max entries   ARGV[2] oldest id kept (ms)   ARGV[3] TTL ms
-- ARGV[4] the record's JSON
-- Returns the new entry's id (Redis time, ms-seq), the cursor of GET /v1/audit.
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'r', ARGV[4])
redis.call('XTRIM', KEYS[1], 'MINID', '~', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return id

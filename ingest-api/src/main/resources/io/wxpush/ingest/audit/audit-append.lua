-- Appends one audit record to its app's stream and keeps the stream within its budget: about
-- ARGV[1] entries (approximate trimming, whole stream nodes at a time) and none older than
-- ARGV[2] ms by Redis's clock, the one that stamps the entries' ids; the whole key goes ARGV[2] ms
-- after the last append (an app without changes keeps nothing).
-- KEYS[1] the app's audit stream   ARGV[1] max entries   ARGV[2] how long a record is kept (ms)
-- ARGV[3] the record's JSON
-- Returns the new entry's id (ms-seq of Redis's clock), the cursor of GET /v1/audit.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'r', ARGV[3])
redis.call('XTRIM', KEYS[1], 'MINID', '~', tostring(now - tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return id

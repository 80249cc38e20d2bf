-- Reads one page of an app's audit stream, newest first, leaving out what is older than ARGV[3] ms
-- by Redis's clock (the trim on append is approximate, and an app without changes is not trimmed).
-- KEYS[1] the app's audit stream   ARGV[1] the newest id to read: '+' or '(' .. a cursor (exclusive)
-- ARGV[2] how many entries at most   ARGV[3] how long a record is kept (ms)
-- Returns XREVRANGE's entries: {{id, {'r', json}}, …}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('XREVRANGE', KEYS[1], ARGV[1], tostring(math.max(0, now - tonumber(ARGV[3]))), 'COUNT', ARGV[2])

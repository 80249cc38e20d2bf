-- Records one fan-out page as published: moves the resume cursor and adds the page's users to
-- the targets, atomically, so a page republished after a crash is never counted twice.
-- KEYS[1] status HASH
-- ARGV[1] the cursor the page started from ('' at the start)   ARGV[2] the cursor after it
-- ARGV[3] users in the page
-- Returns 1 when recorded, 0 when the cursor had already moved (another fan-out got there first).
local current = redis.call('HGET', KEYS[1], 'cursor') or ''
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'cursor', ARGV[2], 'state', 'fanning_out')
redis.call('HINCRBY', KEYS[1], 'targets', tonumber(ARGV[3]))
return 1

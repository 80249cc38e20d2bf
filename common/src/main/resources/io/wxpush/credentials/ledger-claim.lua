-- Send ledger, step 1 (-> claimed): claims one credential entry of a user for one push, or returns
-- the push's ledger entry for this user when it has one (a redelivered or duplicated task).
-- KEYS[1] the pool ZSET   KEYS[2] the user's spent ZSET   KEYS[3] the user's ledger HASH (field = requestId)
-- ARGV[1] requestId   ARGV[2] mode: 'timed' (the form_id/prepay_id pool, scored by expiry) or 'grant'
--   (grants of one template, scored by collection time; they do not expire)
-- ARGV[3] now, ms (wall clock; credentials expire by it)
-- ARGV[4] timed mode: entries expiring before this (ms) are dropped, not claimed (now + margin)
-- ARGV[5] how long a ledger entry is kept, ms
-- ARGV[6] grant mode: how long a spent grant is remembered (so a redelivered upload cannot bring it back), ms
-- Returns {'existing'|'claimed'|'none', entry} (entry: see ledger-lib.lua). Atomically drops the
-- expired, pops the entry to spend, marks it spent and writes the entry 'c'; an empty pool writes
-- the final entry 'n' (no credential), so every delivery of the task comes to the same answer.
local existing = redis.call('HGET', KEYS[3], ARGV[1])
if existing then return {'existing', existing} end
local rnow = redis_now()
prune(KEYS[3], rnow)
local keep = rnow + tonumber(ARGV[5])
local member, score = pop(KEYS[1], KEYS[2], ARGV[2] == 'timed', tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[6]))
local entry, status = 'n 0 0 none 0 ' .. keep .. ' 0 -', 'none'
if member then entry, status = 'c 0 0 - 0 ' .. keep .. ' ' .. score .. ' ' .. member, 'claimed' end
write_new(KEYS[3], ARGV[1], entry, ARGV[5])
return {status, entry}

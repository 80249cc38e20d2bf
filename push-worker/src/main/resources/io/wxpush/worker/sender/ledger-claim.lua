-- Send ledger, step 1 (-> claimed): claims one live entry of a user's pool for one push, or returns
-- the push's entry for this user when it has one (a redelivered or duplicated task).
-- KEYS[1] the pool ZSET (form_id/prepay_id pool, or one template's grants)   KEYS[2] the user's ledger HASH
-- ARGV[1] push id (short, RedisKeys-issued)   ARGV[2] mode: 'timed' (the form_id/prepay_id pool,
--   scored by expiry), 'grant' (grants of one template, scored by collection time; they do not expire)
--   or 'L<tag>' (a long-term template: that standing permission in KEYS[1], the form_id/prepay_id pool;
--   used, not spent; KEYS[4] that template's grants pool, see take_standing in ledger-lib.lua)
-- ARGV[3] now, ms (wall clock; credentials expire by it)
-- ARGV[4] timed mode: entries expiring before this (ms) are dropped, not claimed (now + margin)
-- ARGV[5] grace: how long an entry is kept once written, ms
-- ARGV[6] the push's horizon (Redis time, ms): after it no (push, user) without an entry is begun
-- ARGV[7] grant mode: how long a spent grant is remembered (so a redelivered upload cannot bring it back), ms
-- ARGV[8] the policy's cap (0: none)   ARGV[9] the day's end for the cap, epoch s (0: not counted)
-- ARGV[10] '1': reserve the last live entry (a low push)   KEYS[3] the user's form_id/prepay_id pool (the day's counter)
-- Returns {'existing'|'claimed'|'none'|'expired', entry} ('none' also for 'capped' and 'reserved', the entry's reason) (entry: see ledger-lib.lua; '' when expired).
-- Atomically drops what ran out, pops the entry to spend, marks it spent and writes the entry 'c';
-- an empty pool writes the final entry 'n' (no credential), so every delivery of the task comes to
-- the same answer.
local existing = find(KEYS[1], KEYS[2], ARGV[1])
if existing then return {'existing', existing} end
local rnow = redis_now()
if rnow > tonumber(ARGV[6]) then return {'expired', ''} end
local keep = keep_until(rnow, tonumber(ARGV[5]), tonumber(ARGV[6]))
local member, score = claim_by_mode(KEYS[1], KEYS[2], KEYS[3] or KEYS[1], KEYS[4], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]),
  tonumber(ARGV[7]), rnow, policy_args(8))
if not member then return {'none', write_final(KEYS[1], KEYS[2], ARGV[1], 'n', score, keep)} end
local entry = 'c 0 0 - 0 ' .. keep .. ' ' .. score .. ' ' .. member
write_in_flight(KEYS[2], ARGV[1], entry, keep, rnow)
keep_alive(KEYS[1], KEYS[2])
return {'claimed', entry}

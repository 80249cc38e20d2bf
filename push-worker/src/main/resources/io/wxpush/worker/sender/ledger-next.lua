-- Send ledger, step 3 for a dead credential (attempting -> claimed with the next one): WeChat
-- refused the entry's credential (41028: wrong or expired) on an attempt that was not in doubt.
-- KEYS[1] the pool ZSET   KEYS[2] the user's ledger HASH
-- ARGV[1] push id   ARGV[2] owner id   ARGV[3] mode 'timed'|'grant'|'L<tag>' (as ledger-claim.lua)
-- ARGV[4] now ms   ARGV[5] timed mode: drop entries expiring before this ms
-- ARGV[6] grant mode: how long a spent grant is remembered, ms   ARGV[7] reason recorded when the pool is empty
-- Returns {'claimed', entry} | {'none', entry} (nothing left: final 'n') | {'fenced', entry} |
--   {'final', entry} | {'missing', ''}   (entry: see ledger-lib.lua)
-- The dead credential stays spent and the next live entry of the pool is claimed for the same (push,
-- user). Fenced: only the owner of the attempt, and never while the send is in doubt (a push never
-- moves to another credential while an earlier send of it may have been delivered).
local e = find(KEYS[1], KEYS[2], ARGV[1])
if not e then return {'missing', ''} end
local f = parse(e)
if f[1] ~= 'c' and f[1] ~= 'a' then return {'final', e} end
if f[1] ~= 'a' or f[4] ~= ARGV[2] or f[2] ~= '0' then return {'fenced', e} end
-- a standing permission has no next entry: WeChat refused the one there is
if is_standing(ARGV[3]) then return {'none', write_final(KEYS[1], KEYS[2], ARGV[1], 'n', ARGV[7], tonumber(f[6]))} end
local rnow = redis_now()
local member, score = pop(KEYS[1], ARGV[3] == 'timed', tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), rnow)
if not member then return {'none', write_final(KEYS[1], KEYS[2], ARGV[1], 'n', ARGV[7], tonumber(f[6]))} end
local entry = 'c 0 ' .. f[3] .. ' - 0 ' .. f[6] .. ' ' .. score .. ' ' .. member
redis.call('HSET', KEYS[2], ARGV[1], entry)
keep_alive(KEYS[1], KEYS[2])
return {'claimed', entry}

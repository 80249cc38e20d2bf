-- Send ledger, final step for a send that surely did not happen (a daily quota, retries given up
-- on, a push refused as a whole, notAfter): the credential goes back to its pool.
-- KEYS[1] the pool ZSET   KEYS[2] the user's ledger HASH
-- ARGV[1] push id   ARGV[2] owner id   ARGV[3] mode 'timed'|'grant'|'L<tag>'
-- ARGV[4] now ms (timed mode: an entry expired by then is not returned)   ARGV[5] reason (no spaces)
-- Returns {'ok', entry, 1|0 (back in the pool)} | {'fenced', entry, 0} | {'final', entry, 0} |
--   {'missing', '', 0}   (entry: see ledger-lib.lua)
-- The entry becomes final 'f', so a later retry may claim afresh. Fenced: never while in doubt,
-- and only from claimed or from the owner's own attempt.
local e = find(KEYS[1], KEYS[2], ARGV[1])
if not e then return {'missing', '', 0} end
local f = parse(e)
if f[1] ~= 'c' and f[1] ~= 'a' then return {'final', e, 0} end
if f[2] ~= '0' or (f[1] == 'a' and f[4] ~= ARGV[2]) then return {'fenced', e, 0} end
local member, score = f[8], tonumber(f[7])
local returned = 0
local spent = redis.call('ZSCORE', KEYS[1], member)
-- a standing permission ('L…') was never spent: nothing goes back (and one revoked meanwhile stays revoked)
if string.sub(member, 1, 1) ~= 'L' and spent and tonumber(spent) < 0 and (ARGV[3] ~= 'timed' or score * 1000 > tonumber(ARGV[4])) then
  redis.call('ZADD', KEYS[1], score, member)
  returned = 1
end
return {'ok', write_final(KEYS[1], KEYS[2], ARGV[1], 'f', ARGV[5], tonumber(f[6])), returned}

-- Writes callback fields into a push's status hash only while that hash exists: a write after the
-- status expired would bring the hash back without a TTL (BRIEF rule 9), for good.
-- KEYS[1] the push's status HASH   ARGV[1] 'set' (HSET every pair) or 'setnx' (HSETNX every pair)
-- ARGV[2], ARGV[3], … field, value, …
-- Returns 1 when the hash exists (and was written), 0 when it is gone (nothing written).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 2, #ARGV, 2 do
  if ARGV[1] == 'setnx' then
    redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 1

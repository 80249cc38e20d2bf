-- Marks an accepted push as published (Kafka has it): a later request with its id and body is a replay.
-- KEYS[1] the request marker HASH   Returns 1 when marked, 0 when there is no marker (a request
-- published straight to Kafka) or it is of a version before the hash.
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
redis.call('HSET', KEYS[1], 'st', 'published')
return 1

-- Shared by the send ledger's scripts (prepended to each by SendLedger; defines functions only,
-- reads no KEYS or ARGV). A ledger entry, one field of the user's ledger HASH, is the string
--   'state doubt attempts owner-or-reason leaseUntilMs keepUntilMs score member'
-- state c (claimed) | a (attempting) | s (sent) | f (failed) | u (unknown) | n (no credential);
-- doubt 0|1; '-' for no owner/reason/member; times are Redis TIME in ms.
-- Returns: nothing (a library).

local function redis_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function parse(e)
  local f = {}
  for w in string.gmatch(e, '%S+') do f[#f + 1] = w end
  return f
end

local function format(f)
  return table.concat(f, ' ')
end

-- Pops the pool entry to spend next (timed: the soonest-expiring live one; grant: the oldest),
-- dropping the expired and forgetting old spent marks first, and marks it spent.
-- Returns member, score — or nil when the pool holds nothing live.
local function pop(pool, spent, timed, now, dropBelow, spentMemory)
  redis.call('ZREMRANGEBYSCORE', spent, '-inf', '(' .. now)
  if timed then redis.call('ZREMRANGEBYSCORE', pool, '-inf', '(' .. dropBelow) end
  local popped = redis.call('ZPOPMIN', pool)
  if #popped == 0 then return nil end
  local member, score = popped[1], popped[2]
  local forgetAt = tonumber(score)
  if not timed then forgetAt = now + spentMemory end
  redis.call('ZADD', spent, forgetAt, member)
  -- the longest any mark is kept: a user who leaves takes the set with them after it
  redis.call('PEXPIRE', spent, spentMemory)
  return member, score
end

-- Drops entries of pushes long finished once the user's ledger has a few (the key's own TTL
-- covers a user who gets no more pushes).
local function prune(ledger, rnow)
  if redis.call('HLEN', ledger) < 8 then return end
  local all = redis.call('HGETALL', ledger)
  for i = 1, #all, 2 do
    local f = parse(all[i + 1])
    if tonumber(f[6]) < rnow then redis.call('HDEL', ledger, all[i]) end
  end
end

-- Writes a new entry for (push, user) and keeps the ledger key alive for its retention.
local function write_new(ledger, requestId, entry, retention)
  redis.call('HSET', ledger, requestId, entry)
  redis.call('PEXPIRE', ledger, retention)
end

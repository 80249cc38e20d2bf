-- Records the final outcomes of many users of one push in one call (a sender's batch: Outcomes in
-- push-worker), each exactly as push-outcome.lua records one: once per user (HSETNX in the user's
-- bucket: a redelivered task records nothing more), knowledge only grows ('sent' upgrades 'unknown').
-- The counters take one HINCRBY per field for the whole batch; then FINISH (push_finish, push-lib.lua).
-- KEYS[1] status HASH   KEYS[2] reasons HASH   KEYS[3..] the users' outcome buckets (each once)
-- ARGV[1] LEDGER_GRACE ms   ARGV[2] the push's horizon (Redis time, ms)   ARGV[3] how many users, n
-- ARGV[4] the caller's bucket refresh period, ms (below)
-- then n groups of 6: bucket (index into KEYS), the user's field (PushStatusStore.userField), outcome
--   code (s|n|f|u|c), counter field, reason or '', WeChat's msgid of a sent message or '0'
-- then the indexes into KEYS of the buckets whose TTL to set: each gets max(ARGV[1], horizon - now)
--   ms plus ARGV[4] (a caller refreshes a bucket at most once per that period, so every outcome in it
--   is kept at least the grace time after it was recorded, and never less than the horizon)
-- Returns one 1|0 per user: recorded (or upgraded) now | already had an outcome, or the status is gone.
local n = tonumber(ARGV[3])
local out = {}
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then -- the status expired: counting would recreate it without a TTL
  for i = 1, n do out[i] = 0 end
  return out
end
local counts, reasons = {}, {}
local function add(t, k, d) t[k] = (t[k] or 0) + d end
for i = 1, n do
  local at = 4 + (i - 1) * 6
  local bucket, field, code, counter, reason, msgid =
    KEYS[tonumber(ARGV[at + 1])], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4], ARGV[at + 5], ARGV[at + 6]
  local sent = 's'
  if msgid ~= '' and msgid ~= '0' then sent = 's:' .. msgid end
  local stored = code
  if code == 'u' and reason ~= '' then stored = 'u:' .. reason end
  if code == 's' then stored = sent end
  out[i] = 0
  if redis.call('HSETNX', bucket, field, stored) == 1 then
    add(counts, counter, 1)
    if reason ~= '' then add(reasons, reason, 1) end
    out[i] = 1
  elseif code == 's' then
    local before = redis.call('HGET', bucket, field)
    if string.sub(before, 1, 1) == 'u' then
      redis.call('HSET', bucket, field, sent)
      add(counts, 'unknown', -1)
      add(counts, 'sent', 1)
      local was = string.sub(before, 3)
      if was ~= '' then add(reasons, was, -1) end
      out[i] = 1
    end
  end
end
for field, d in pairs(counts) do
  if d ~= 0 then redis.call('HINCRBY', KEYS[1], field, d) end
end
local grew = false
for reason, d in pairs(reasons) do
  if d ~= 0 and redis.call('HINCRBY', KEYS[2], reason, d) <= 0 then redis.call('HDEL', KEYS[2], reason) end
  if d > 0 then grew = true end
end
if grew then
  if ttl > 0 and redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIRE', KEYS[2], ttl) end
end
local first = 4 + n * 6 + 1
if #ARGV >= first then
  local keep = math.max(tonumber(ARGV[1]), tonumber(ARGV[2]) - push_now_ms()) + tonumber(ARGV[4])
  for i = first, #ARGV do redis.call('PEXPIRE', KEYS[tonumber(ARGV[i])], keep) end
end
push_finish(KEYS[1])
return out

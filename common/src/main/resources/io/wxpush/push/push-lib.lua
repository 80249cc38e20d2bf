-- The one writer of a push's state (BRIEF rule 10). Prepended to every push script that moves a
-- push (PushLifecycle.script), after the table PushTransition.luaTable renders from Java:
-- PUSH_FINAL[state] (true for a final state) and PUSH_MOVES[transition][from][to] (true for each
-- allowed move; 'none' is a push without a status). A transition the table refuses changes nothing.
-- Defines functions only; reads no KEYS or ARGV. Returns: nothing (a library).

local function push_now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The push's state, 'none' when it has no status (or a status without one).
local function push_state(status)
  return redis.call('HGET', status, 'state') or 'none'
end

-- True when the table lets `transition` start from `from`.
local function push_allowed(transition, from)
  return PUSH_MOVES[transition][from] ~= nil
end

-- The one state `transition` leads to from `from` (nil when refused, or when the row has several).
local function push_only(transition, from)
  local row = PUSH_MOVES[transition][from]
  if not row then return nil end
  local to, n = nil, 0
  for s in pairs(row) do to = s; n = n + 1 end
  if n == 1 then return to end
  return nil
end

-- Moves the push from `from` to `to` by `transition` if the table allows it (entering a final
-- state stamps finishedAt once). Returns true when allowed.
local function push_move(status, transition, from, to)
  local row = PUSH_MOVES[transition][from]
  if not row or not to or not row[to] then return false end
  if to ~= from then
    redis.call('HSET', status, 'state', to)
    if PUSH_FINAL[to] then redis.call('HSETNX', status, 'finishedAt', tostring(push_now_ms())) end
  end
  return true
end

-- True when every target has its outcome (or there are none).
local function push_all_counted(status)
  local s = redis.call('HMGET', status, 'targets', 'sent', 'noCredential', 'failed', 'unknown', 'cancelled')
  local n = 0
  for i = 2, 6 do n = n + (tonumber(s[i]) or 0) end
  return n >= (tonumber(s[1]) or 0)
end

-- The final state a finished push ends in: cancelled if it was, else done.
local function push_end_state(status)
  if redis.call('HGET', status, 'cancel') == '1' then return 'cancelled' end
  return 'done'
end

-- ACCEPT: a new push's status, 'accepted' or 'scheduled', with its fields and retention.
-- Returns true when created (false: it had one).
local function push_accept(status, to, retentionMs, appId, kind, templateId, createdAt)
  if not push_move(status, 'accept', push_state(status), to) then return false end
  redis.call('HSET', status, 'appId', appId, 'kind', kind, 'templateId', templateId, 'createdAt', createdAt, 'targets', '0')
  redis.call('PEXPIRE', status, retentionMs)
  return true
end

-- SCHEDULE: its sendAt is ahead. Returns true when allowed.
local function push_schedule(status)
  local from = push_state(status)
  return push_move(status, 'schedule', from, push_only('schedule', from))
end

-- START_RUN: stamps the run once (its short id, horizon and buckets; the first stamp wins) and the
-- fan-out has begun. Refused (no status, or final): nothing is stamped, the stamp as it is is read.
-- Returns {id, untilMs, buckets} as stamped (nil fields: never stamped).
local function push_start_run(status, freshId, graceMs, buckets)
  local from = push_state(status)
  if push_move(status, 'start_run', from, push_only('start_run', from)) and redis.call('HSETNX', status, 'run', freshId) == 1 then
    local now = push_now_ms()
    redis.call('HSET', status, 'until', tostring(now + tonumber(graceMs)), 'buckets', buckets, 'startedAt', tostring(now))
  end
  local r = redis.call('HMGET', status, 'run', 'until', 'buckets')
  return {r[1] or false, tonumber(r[2]) or false, tonumber(r[3]) or false}
end

-- PAGE: a page published from cursor `from` to `to` with `users` targets, once (a page republished
-- after a crash finds the cursor moved). Returns 1 when recorded, 0 when refused or the cursor had moved.
local function push_page(status, fromCursor, toCursor, users)
  local from = push_state(status)
  if not push_allowed('page', from) then return 0 end
  if (redis.call('HGET', status, 'cursor') or '') ~= fromCursor then return 0 end
  redis.call('HSET', status, 'cursor', toCursor)
  redis.call('HINCRBY', status, 'targets', tonumber(users))
  push_move(status, 'page', from, 'fanning_out')
  return 1
end

-- FANOUT_DONE: the fan-out finished (or stopped for a cancel); final at once when every target has
-- its outcome. Returns the state the push is in after it (as it was when refused).
local function push_fanout_done(status)
  local from = push_state(status)
  if not push_allowed('fanout_done', from) then return from end
  redis.call('HSET', status, 'fanoutDone', '1')
  redis.call('HSETNX', status, 'fanoutDoneAt', tostring(push_now_ms()))
  local to = 'sending'
  if push_all_counted(status) then to = push_end_state(status) end
  push_move(status, 'fanout_done', from, to)
  return to
end

-- FINISH: after an outcome: a push whose fan-out is done and whose every target has its outcome
-- ends done (cancelled, if it was). Returns true when it ended now.
local function push_finish(status)
  if redis.call('HGET', status, 'fanoutDone') ~= '1' or not push_all_counted(status) then return false end
  return push_move(status, 'finish', push_state(status), push_end_state(status))
end

-- HOLD: the push waits for the end of quiet hours at `resumesAtMs` (also a moved window's new end):
-- an accepted push or one fanning out shows as sending (it has begun; nothing more goes out until then).
-- Returns 1 when marked, 0 when refused (no status, or final).
local function push_hold(status, resumesAtMs)
  local from = push_state(status)
  if not push_move(status, 'hold', from, push_only('hold', from)) then return 0 end
  redis.call('HSET', status, 'resumesAt', resumesAtMs)
  return 1
end

-- RESUME: quiet hours are over for the push: no resume time shown. Returns 1, 0 when refused.
local function push_resume(status)
  if not push_allowed('resume', push_state(status)) then return 0 end
  redis.call('HDEL', status, 'resumesAt')
  return 1
end

-- CANCEL: the cancel mark (the fan-out stops at its next page, no send starts); a scheduled push is
-- cancelled at once. Returns 'missing' | 'final' (refused: nothing to cancel) | 'cancelling' | 'cancelled'.
local function push_cancel(status)
  local from = push_state(status)
  if from == 'none' then return 'missing' end
  if not push_allowed('cancel', from) then return 'final' end
  redis.call('HSET', status, 'cancel', '1')
  redis.call('HSETNX', status, 'cancelledAt', tostring(push_now_ms()))
  local to = push_only('cancel', from)
  push_move(status, 'cancel', from, to)
  if PUSH_FINAL[to] then
    redis.call('HSET', status, 'fanoutDone', '1')
    return 'cancelled'
  end
  return 'cancelling'
end

-- RETRY_ROUND: each user (outcome bucket key, field) whose outcome is 'f' (failed, surely not sent)
-- loses it, so that the round's outcome counts instead, and a done push sends again. Users with any
-- other outcome keep it. Returns how many were taken back; -1 when refused (nothing changed).
local function push_retry_round(status, buckets, fields)
  local from = push_state(status)
  if not push_allowed('retry_round', from) then return -1 end
  local n = 0
  for i = 1, #fields do
    if redis.call('HGET', buckets[i], fields[i]) == 'f' then
      redis.call('HDEL', buckets[i], fields[i])
      n = n + 1
    end
  end
  if n > 0 then
    redis.call('HINCRBY', status, 'failed', -n)
    push_move(status, 'retry_round', from, push_only('retry_round', from))
  end
  return n
end

-- FAIL: the request cannot be processed: failed with `reason` (a status created here gets the
-- retention). Returns 1, 0 when refused (final already).
local function push_fail(status, reason, appId, retentionMs)
  if not push_move(status, 'fail', push_state(status), 'failed') then return 0 end
  redis.call('HSET', status, 'reason', reason)
  if appId ~= '' then redis.call('HSET', status, 'appId', appId) else redis.call('HSETNX', status, 'appId', '') end
  if redis.call('PTTL', status) < 0 then redis.call('PEXPIRE', status, retentionMs) end
  return 1
end

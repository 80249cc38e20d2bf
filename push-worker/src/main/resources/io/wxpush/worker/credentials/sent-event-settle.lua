-- A subscribe_msg_sent_event whose MsgID wxpush never learned (the send's answer was lost): settles
-- the oldest of the user's sends of that template still 'unknown' in the send ledger as WeChat says
-- ('s' sent for ErrorCode 0, 'f' failed otherwise), once per MsgID. The MsgID is remembered beside
-- the entry it settled, as a member 'm:<msgid> <pushId> <state>' in the spent-mark range of that
-- pool (ledger-lib.lua), forgotten with the entry: a repeat of the event (WeChat's retries, Kafka's
-- redeliveries) settles nothing more and returns what the first one settled.
-- KEYS[1] the user's form_id/prepay_id pool   KEYS[2] the user's grants pool of the event's template
-- KEYS[3] the user's ledger HASH (a pool given a TTL outlives the user's sends in flight: keep_alive)
-- ARGV[1] MsgID   ARGV[2] 's' | 'f'   ARGV[3] the reason for a failed entry ('-' for none; no spaces)
-- ARGV[4…] the candidates, oldest first: 't:<pushId>' (in KEYS[1]) or 'g:<pushId>' (in KEYS[2]),
--   push ids of the event's template whose final entry was 'u' when the caller looked
-- Returns {'settled', pushId, state} | {'repeat', pushId, state} | {'none', '', ''} (no candidate is
-- 'unknown' any more).
local mark = 'm:' .. ARGV[1] .. ' '
for _, pool in ipairs({KEYS[1], KEYS[2]}) do
  local marks = redis.call('ZRANGEBYSCORE', pool, '(' .. -LEDGER_BASE, '(0')
  for _, m in ipairs(marks) do
    if string.sub(m, 1, #mark) == mark then
      local f = parse(m)
      return {'repeat', f[2], f[3]}
    end
  end
end
for i = 4, #ARGV do
  local pool = KEYS[1]
  if string.sub(ARGV[i], 1, 2) == 'g:' then pool = KEYS[2] end
  local pid = string.sub(ARGV[i], 3)
  local m, packed = find_final_member(pool, pid)
  if m and packed % 8 == CODES.u then
    local reason = '-'
    if ARGV[2] == 'f' then reason = ARGV[3] end
    rewrite_final(pool, pid, ARGV[2], reason)
    redis.call('ZADD', pool, -math.floor(packed / 8), mark .. pid .. ' ' .. ARGV[2])
    keep_alive(pool, KEYS[3])
    return {'settled', pid, ARGV[2]}
  end
end
return {'none', '', ''}

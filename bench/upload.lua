-- wrk script for bench/ingest.sh: POST /v1/credentials with 3 form_ids per upload, for many
-- users (one session token per line of TOKENS_FILE; thread i of n takes lines i, i+n, ...),
-- every value distinct. Counts 202 answers and the rest.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(args[1] or "1")
  tokens = {}
  local i = 0
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    if i % n == id then tokens[#tokens + 1] = "Bearer " .. line end
    i = i + 1
  end
  nextTok = 1
  seq = 0
  wrk.method = "POST"
  wrk.path = "/v1/credentials"
  wrk.headers["Content-Type"] = "application/json"
  ok = 0
  other = 0
end

function request()
  local tok = tokens[nextTok]
  nextTok = nextTok + 1
  if nextTok > #tokens then nextTok = 1 end
  seq = seq + 1
  local now = os.time() * 1000
  local base = string.format("fid-%07d-%09d", id, seq)
  local body = '{"credentials":[' ..
      '{"kind":"form_id","value":"' .. base .. '-a1","collectedAt":' .. now .. '},' ..
      '{"kind":"form_id","value":"' .. base .. '-b2","collectedAt":' .. now .. '},' ..
      '{"kind":"form_id","value":"' .. base .. '-c3","collectedAt":' .. now .. '}]}'
  wrk.headers["Authorization"] = tok
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 202 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_other = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_other = total_other + t:get("other")
  end
  io.write(string.format("uploads answered 202: %d, other answers: %d\n", total_ok, total_other))
end

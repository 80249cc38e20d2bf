-- wrk script: template sends, each with a distinct valid form_id read from FORMIDS_FILE
-- ("openId formId" lines). Thread i of n takes lines i, i+n, i+2n, ...; a thread that runs out
-- of form_ids wraps round (those sends answer 41029, which the summary reports).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  template = args[2] or "TPL_BENCH"
  local n = tonumber(args[3] or "1")
  pairs_ = {}
  local i = 0
  for line in io.lines(os.getenv("FORMIDS_FILE")) do
    if i % n == id then
      local sp = line:find(" ")
      pairs_[#pairs_ + 1] = { line:sub(1, sp - 1), line:sub(sp + 1) }
    end
    i = i + 1
  end
  next_ = 1
  path = "/cgi-bin/message/wxopen/template/send?access_token=" .. token
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  ok = 0
  other = 0
end

function request()
  local p = pairs_[next_]
  next_ = next_ + 1
  if next_ > #pairs_ then next_ = 1 end
  local body = '{"touser":"' .. p[1] .. '","template_id":"' .. template .. '","page":"pages/index","form_id":"' .. p[2]
      .. '","data":{"keyword1":{"value":"order 42 shipped"},"keyword2":{"value":"2024-05-01 12:30"}},"emphasis_keyword":"keyword1.DATA"}'
  return wrk.format(nil, path, nil, body)
end

function response(status, headers, body)
  if status == 200 and body:find('"errcode":0', 1, true) then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_other = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_other = total_other + t:get("other")
  end
  io.write(string.format("sends answered errcode 0: %d, other answers: %d\n", total_ok, total_other))
end

-- Each request scans a different badge from BADGES (one token per line); wrk threads take
-- disjoint slices so that no two requests share a badge until the file is used up.
local tokens = {}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  for line in io.lines(os.getenv("BADGES")) do
    tokens[#tokens + 1] = line
  end
  checkpoint = os.getenv("CHECKPOINT_ID")
  auth = "Bearer " .. os.getenv("STAFF_TOKEN")
  nthreads = tonumber(os.getenv("THREADS") or "1")
  offset = tonumber(os.getenv("OFFSET") or "0")
  index = offset + (id or 1) - 1
end
request = function()
  local token = tokens[(index % #tokens) + 1]
  index = index + nthreads
  local body = '{"token":"' .. token .. '","checkpoint_id":"' .. checkpoint .. '"}'
  return wrk.format("POST", "/api/v1/checkins",
    {["Content-Type"] = "application/json", ["Authorization"] = auth}, body)
end

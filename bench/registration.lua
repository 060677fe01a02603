-- One new attendee per request: unique e-mails per wrk thread and counter.
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  stop = os.getenv("STOP_ID")
  -- Each wrk thread has its own Lua state: seed it apart so that e-mails never collide.
  math.randomseed(os.time() * 100 + (id or 0))
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"first_name":"Bench","last_name":"User","email":"b%d-%d-%d@bench.example","company":"Bench SARL","consent":true,"workshops":[]}',
    id or 0, counter, math.random(1, 1000000000))
  return wrk.format("POST", "/api/v1/stops/" .. stop .. "/registrations", {["Content-Type"] = "application/json"}, body)
end

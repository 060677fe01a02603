-- Each request searches the next query of QUERIES (one per line, as staff type them at the
-- door: a last name, its first letters, a first and last name, a company word, typed without
-- accents), round robin.
local queries = {}
function init(args)
  for line in io.lines(os.getenv("QUERIES")) do
    queries[#queries + 1] = line:gsub(" ", "%%20")
  end
  stop = os.getenv("STOP_ID")
  auth = "Bearer " .. os.getenv("TOKEN")
  index = math.random(#queries)
end
request = function()
  index = index % #queries + 1
  return wrk.format("GET", "/api/v1/stops/" .. stop .. "/attendees?q=" .. queries[index],
    {["Authorization"] = auth})
end

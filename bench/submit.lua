-- wrk script: the report form as the hydrated page submits it, every
-- request with its own address and one of many wallets, so per-address
-- limits never trigger; counts 5xx answers for the summary.
local counter = 0
fives = 0
local threads = {}
local wallets = {
  "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5",
  "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin",
  "CDxkYrPqX2pAnUBXzwhJqeQ1hQdHUFDbVZ7JtQaB6Fkc",
  "HgGJq3JJdvQ1Eph1AzRsUpkWRhVBuuk6BGMUSrN8cXiK",
}

-- Each thread its own prefix (its Lua state's random numbers repeat the
-- other's), each wrk run its own (the warm-up must not use up the
-- addresses the measured run sends), and each of several wrk started
-- together its own (SUBMIT_PREFIX), as they share one database.
local prefix = os.getenv("SUBMIT_PREFIX") or ""
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", prefix .. os.time() .. "-" .. #threads)
end

request = function()
  counter = counter + 1
  local wallet = wallets[(counter % #wallets) + 1]
  local body = "wallet=" .. wallet .. "&email=load-" .. id .. "-" .. counter .. "%40example.com"
  return wrk.format("POST", "/api/request-report", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, body)
end

statuses = {}

response = function(status, headers, body)
  if status >= 500 then fives = fives + 1 end
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  -- Each thread counts in its own Lua state; add them up.
  local total = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("fives")
    for status, n in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + n
    end
  end
  io.write(string.format("status_5xx: %d\n", total))
  local parts = {}
  for status, n in pairs(by_status) do table.insert(parts, status .. "=" .. n) end
  table.sort(parts)
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
end

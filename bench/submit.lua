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

function setup(thread)
  thread:set("id", math.random(1, 1000000000))
  table.insert(threads, thread)
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

response = function(status, headers, body)
  if status >= 500 then fives = fives + 1 end
end

done = function(summary, latency, requests)
  -- Each thread counts in its own Lua state; add them up.
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("fives")
  end
  io.write(string.format("status_5xx: %d\n", total))
end

-- wrk script: GET random byte ranges of one file, then print one JSON line of results.
-- Environment: URL_PATH (e.g. /videos/load.bin), FILE_SIZE (bytes), RANGE_SIZE (bytes).
local path = os.getenv("URL_PATH")
local file_size = tonumber(os.getenv("FILE_SIZE"))
local range_size = tonumber(os.getenv("RANGE_SIZE"))
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  -- Seeded per thread: runs are repeatable, threads ask for different ranges.
  math.randomseed(1000 + id)
  non_2xx = 0
end

function request()
  local first = math.random(0, file_size - range_size)
  return wrk.format("GET", path, { ["Range"] = "bytes=" .. first .. "-" .. (first + range_size - 1) })
end

-- CHECK_STATUS=0 leaves response() undefined: wrk then hands no response to Lua, whose copy of each body into a Lua
-- string costs the client CPU that a measurement of the server's CPU per GB should not compete with.
if os.getenv("CHECK_STATUS") ~= "0" then
  function response(status, headers, body)
    if status ~= 206 then
      non_2xx = non_2xx + 1
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non_2xx")
  end
  io.write(string.format(
    'RESULT {"requests": %d, "bytes": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, "non_206": %d}\n',
    summary.requests, summary.bytes, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    bad))
end

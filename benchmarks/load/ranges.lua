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
end

function request()
  local first = math.random(0, file_size - range_size)
  return wrk.format("GET", path, { ["Range"] = "bytes=" .. first .. "-" .. (first + range_size - 1) })
end

-- No response() callback: with one, wrk copies every body into a Lua string, and the client, not the server, becomes
-- the bottleneck (0.7-1.3 GB/s with it, 2-3.3 GB/s without, same servers). run.py checks the answers instead: wrk's
-- own status errors (4xx/5xx), bytes per request (a 200 with the whole file would be 1 GiB, not RANGE_SIZE), and a curl
-- probe of each server before and after every run.
function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "bytes": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "stdev_us": %d, "errors": %d, "status_errors": %d}\n',
    summary.requests, summary.bytes, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.stdev,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.errors.status))
end

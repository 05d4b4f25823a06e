-- wrk script for the API benchmark: a random path from BENCH_PATHS per request, with the
-- bearer token of BENCH_TOKEN (and BENCH_IF_NONE_MATCH when set); prints one JSON line.
local paths = {}
local headers = {}

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  local token = os.getenv("BENCH_TOKEN")
  if token and #token > 0 then headers["Authorization"] = "Bearer " .. token end
  local etag = os.getenv("BENCH_IF_NONE_MATCH")
  if etag and #etag > 0 then headers["If-None-Match"] = etag end
  math.randomseed(math.floor(os.clock() * 1000000) + #paths)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "non_2xx_3xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.status,
    e.connect + e.read + e.write + e.timeout))
end

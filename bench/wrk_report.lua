-- wrk script for the GET runs of bench/server_bench.sh: only a summary line
-- the script parses (requests/s, p50 and p99 in ms, non-2xx and socket errors).
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.timeout
  io.write(string.format("SIPAS_WRK requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f " ..
                         "non2xx=%d socket_errors=%d\n",
                         summary.requests, seconds, summary.requests / seconds,
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000,
                         summary.errors.status, errors))
end

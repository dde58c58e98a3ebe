-- Appended to each script: print one machine-readable line at the end of the run.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + (thread:get("bad") or 0) end
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f p50_us=%d p99_us=%d bad=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    bad_total, errors.connect + errors.read + errors.write + errors.status + errors.timeout))
end

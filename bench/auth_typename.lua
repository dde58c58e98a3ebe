-- Diagnostic: `{ __typename }` with a bearer token: JWT check + the Redis round trip, no DB.
local dir = os.getenv("BENCH_DIR")
local token = io.open(dir .. "/access_token.txt"):read("*l")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"query":"{ __typename }"}'

bad = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"__typename":"Query"', 1, true) then
    bad = bad + 1
  end
end

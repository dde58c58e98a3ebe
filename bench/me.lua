-- Authenticated `{ me { id email } }`; BENCH_DIR/access_token.txt holds the bearer token.
local dir = os.getenv("BENCH_DIR")
local token = io.open(dir .. "/access_token.txt"):read("*l")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"query":"{ me { id email } }"}'

bad = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"email":"bench@example.com"', 1, true) then
    bad = bad + 1
  end
end

-- The articles page (20 articles with bodies) for the signed-in, entitled bench user
-- (BENCH_DIR/access_token.txt). An answer counts as bad unless all 20 bodies came back.
local dir = os.getenv("BENCH_DIR")
local token = io.open(dir .. "/access_token.txt"):read("*l")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"query":"{ articles(first: 20) { edges { node { slug title summary premium '
  .. 'locked body } } pageInfo { hasNextPage endCursor } } }"}'

local function count(body, needle)
  local n, from = 0, 1
  while true do
    local at = string.find(body, needle, from, true)
    if not at then return n end
    n, from = n + 1, at + #needle
  end
end

bad = 0
function response(status, headers, body)
  if status ~= 200 or count(body, '"body":"BENCH-BODY-') ~= 20
      or count(body, '"locked":false') ~= 20 or count(body, '"premium":true') == 0 then
    bad = bad + 1
  end
end

-- `logout` of a different session for every request: BENCH_DIR/refresh_tokens.txt.
local dir = os.getenv("BENCH_DIR")
local tokens = {}
for line in io.lines(dir .. "/refresh_tokens.txt") do
  if #line > 0 then tokens[#tokens + 1] = line end
end
-- Later runs start after the tokens that earlier runs used.
local next_index = tonumber(os.getenv("BENCH_TOKEN_OFFSET") or "0")
local query = "mutation($t: String) { logout(refreshToken: $t) { ok errors { code } } }"
local headers = {
  ["Content-Type"] = "application/json",
  ["X-Forwarded-Proto"] = "https",
}

bad = 0
function request()
  next_index = next_index + 1
  local token = tokens[next_index] or "exhausted"
  local body = '{"query":"' .. query .. '","variables":{"t":"' .. token .. '"}}'
  return wrk.format("POST", "/graphql/", headers, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"ok":true', 1, true) then
    bad = bad + 1
  end
end

-- Reference: the cheapest GraphQL POST (`{ __typename }`, anonymous), the floor of /graphql/.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.body = '{"query":"{ __typename }"}'

bad = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"__typename":"Query"', 1, true) then
    bad = bad + 1
  end
end

wrk.method = "GET"
wrk.headers["X-Forwarded-Proto"] = "https"

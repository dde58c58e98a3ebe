"""Where a sign-in's time goes besides the password hash: BENCH_SIGNINS (20) `login`
mutations through the production WSGI application in process (config.wsgi.application, the
production settings, a throw-away database seeded by seed.py, real Redis; bench/stack.py),
each split into phases by timestamps taken around the password check and the session row:

    uv run python bench/trace_signin.py

  pre   request in, JSON, gate, rate limit (Redis), the user's row (SQL)
  hash  check_password: one argon2id verification
  mid   rate-limit reset (Redis), the second-factor lookups (SQL), BEGIN, last_login
  row   the session INSERT
  post  COMMIT, the access token, the JSON answer, the request log and metrics
  after what the request deferred until its answer was out (core/deferred.py: the security
        log's statement, the rate-limit reset), run when the body is closed; not part of
        the sign-in's time

Round trips are counted per phase (SQL statements through Django's execute_wrapper,
Redis commands sent) with their time. Each sign-in follows one password verification timed
alone, as in run_ratios.py (BENCH_HASH_FIRST=0: not), so "sign-in minus one hash" here
leaves out only HTTP and gunicorn. The tracing wraps functions from outside (this
script); the server is unchanged.
"""

from __future__ import annotations

import os
import subprocess

from stack import PYTHON, ROOT, Stack, log

SIGNINS = int(os.environ.get("BENCH_SIGNINS", "20"))
# 0: no hash timed alone before each sign-in (its "pre" phase then starts with warm caches).
HASH_FIRST = os.environ.get("BENCH_HASH_FIRST", "1") != "0"

TRACE = r"""
import io, json, statistics, time
import redis.connection
from django.contrib.auth.hashers import check_password
from config.wsgi import application as app
from django.db import connection
import tokens.services.signin as signin
from accounts.models import User

EMAIL, PASSWORD = "bench@example.com", "bench-password-123"
QUERY = ("mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}, "
         "transport: BODY) { accessToken errors { code } } }")
BODY = json.dumps({"query": QUERY, "variables": {"e": EMAIL, "p": PASSWORD}}).encode()
marks = {}
trips = []  # (kind, ms, when)

def mark(name):
    marks[name] = time.perf_counter()

plain_check = User.check_password
def traced_check(self, raw):
    mark("hash")
    try:
        return plain_check(self, raw)
    finally:
        mark("mid")
User.check_password = traced_check

plain_start = signin.session_start
def traced_start(**kwargs):
    mark("row")
    try:
        return plain_start(**kwargs)
    finally:
        mark("post")
signin.session_start = traced_start

def sql(execute, statement, params, many, context):
    started = time.perf_counter()
    try:
        return execute(statement, params, many, context)
    finally:
        trips.append(("sql", (time.perf_counter() - started) * 1000, started))

plain_send = redis.connection.AbstractConnection.send_packed_command
def traced_send(self, command, check_health=True):
    trips.append(("redis", 0.0, time.perf_counter()))
    return plain_send(self, command, check_health)
redis.connection.AbstractConnection.send_packed_command = traced_send

def sign_in():
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/graphql/", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https", "wsgi.url_scheme": "http", "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(BODY)), "wsgi.input": io.BytesIO(BODY),
        "HTTP_USER_AGENT": "trace_signin",
    }
    marks.clear(); trips.clear()
    mark("pre")
    body = app(environ, lambda *a, **k: None)
    out = b"".join(body)
    mark("end")
    if hasattr(body, "close"):
        body.close()
    mark("after")
    assert b'"accessToken":"' in out and b'"errors":[]' in out, out[:300]

encoded = User.objects.get(email=EMAIL).password
phases = ("pre", "hash", "mid", "row", "post")
rows = []
with connection.execute_wrapper(sql):
    for n in range(3 + %(n)d):
        started = time.perf_counter()
        if %(hash_first)r:
            assert check_password(PASSWORD, encoded)
        alone = (time.perf_counter() - started) * 1000
        sign_in()
        bounds = [marks[p] for p in phases] + [marks["end"], marks["after"]]
        row = {"alone": alone, "total": (bounds[-2] - bounds[0]) * 1000}
        for phase, start, end in zip((*phases, "after"), bounds, bounds[1:]):
            row[phase] = (end - start) * 1000
            inside = [t for t in trips if start <= t[2] < end]
            row[phase + " sql"] = sum(1 for t in inside if t[0] == "sql")
            row[phase + " sql ms"] = sum(t[1] for t in inside if t[0] == "sql")
            row[phase + " redis"] = sum(1 for t in inside if t[0] == "redis")
        if n >= 3:  # warm-up
            rows.append(row)

def med(key):
    return statistics.median(r[key] for r in rows)

print(f"median of {len(rows)} sign-ins (in process, after one hash timed alone each):")
own = statistics.median(r["total"] - r["hash"] for r in rows)
alone = statistics.median(r["total"] - r["alone"] for r in rows)
print(f"  one hash alone {med('alone'):.1f} ms; sign-in {med('total'):.1f} ms; "
      f"sign-in minus its own hash {own:.1f} ms; minus the hash alone {alone:.1f} ms")
for phase in (*phases, "after"):
    print(f"  {phase:<5} {med(phase):7.2f} ms   SQL {med(phase + ' sql'):.0f} "
          f"({med(phase + ' sql ms'):.2f} ms)   Redis {med(phase + ' redis'):.0f}")
"""


def main() -> None:
    with Stack(refresh_tokens=0) as stack:
        log(f"{SIGNINS} sign-ins through the WSGI application, traced")
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", TRACE % {"n": SIGNINS, "hash_first": HASH_FIRST}],
            cwd=ROOT,
            env={
                **stack.env,
                "RATE_LIMITS": "login:email=1000000/15m,login:ip=1000000/15m",
            },
            check=True,
        )


if __name__ == "__main__":
    main()

"""The four ratios of the content-path speed goal, in one run, against the production
configuration: gunicorn (gunicorn.conf.py, 2 sync workers, DJANGO_ENV=production) on a
throw-away PostgreSQL database seeded by seed.py and seed_content.py, real Redis, wrk on
loopback (one thread, 16 connections, bounded runs; bench/stack.py).

    uv run python bench/run_ratios.py

Measured, in each of BENCH_ROUNDS rounds (median printed): /healthz; signed-in
`{ me { id email } }`; the articles page (20 articles with summary and body) for a viewer
whose subscription grants the top tier (every answer is checked: 20 bodies, none locked);
`refresh` with the BODY transport and a fresh, unused refresh token for every request.
Then single sign-in latency: BENCH_SIGNINS sequential `login` calls over HTTP (one
keep-alive connection), each paired with one verification of the same password by the
production password hasher (Django's check_password in the production settings). Those
go to a second gunicorn whose workers load bench/signin_probe, which times each sign-in's
own verification inside the worker: the sign-in minus its own hash is printed too, free
of the hash's own variance (on 2 shared cores one argon2id pass varies by several ms).

Environment: BENCH_DURATION (5 s per run), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16),
BENCH_WORKERS (2), BENCH_WORKER_CLASS (sync; or gthread, with BENCH_THREADS, gunicorn.conf.py's
4 by default), BENCH_SIGNINS (30), BENCH_ARTICLES / BENCH_BODY_CHARS (seed_content.py),
BENCH_MAX_REQUESTS (unset: gunicorn.conf.py's own recycling, see below).

The sign-in rate limits are raised for the run (RATE_LIMITS=login:email=…,login:ip=…) so that
the limiter is still consulted on every sign-in but never refuses one.

Throughput on a shared machine is noise-prone: read the ratios with the nproc and load
average printed beside them, and prefer the median of several rounds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from stack import BENCH, PYTHON, ROOT, Stack, log

DURATION = int(os.environ.get("BENCH_DURATION", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
# The same worker class (and threads) for every endpoint: gunicorn.conf.py's sync by default.
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = os.environ.get("BENCH_THREADS", "")
SIGNINS = int(os.environ.get("BENCH_SIGNINS", "30"))
# gunicorn.conf.py's worker recycling as configured (it used to replace a worker every
# 5,000 requests, every few seconds at /healthz rates, which stalled whole runs; now
# 200,000). BENCH_MAX_REQUESTS overrides it (0: off, 5000: the old value).
MAX_REQUESTS = os.environ.get("BENCH_MAX_REQUESTS", "")
EMAIL, PASSWORD = "bench@example.com", "bench-password-123"  # seed.py's user

ENDPOINTS = (
    ("healthz", "healthz.lua", "/healthz"),
    ("me", "me.lua", "/graphql/"),
    ("articles", "articles.lua", "/graphql/"),
    ("refresh", "refresh.lua", "/graphql/"),
)
LOGIN = (
    "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}, "
    "transport: BODY) { accessToken errors { code } } }"
)
# Run in a `manage.py shell` with the production settings, so that the hasher and its
# parameters are exactly the server's and the encoded hash is the seeded user's own.
# Sign-ins and hashes alternate, so that load drifting on a shared machine hits both alike.
PAIRED_TIMER = """
import http.client, json, time
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from accounts.models import User
encoded = User.objects.get(email=%(email)r).password
connection = http.client.HTTPConnection("127.0.0.1", %(port)d, timeout=60)
headers = {"Content-Type": "application/json", "X-Forwarded-Proto": "https"}
body = json.dumps({"query": %(login)r, "variables": {"e": %(email)r, "p": %(password)r}})
def sign_in():
    started = time.perf_counter()
    connection.request("POST", "/graphql/", body=body, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    login = (json.loads(payload).get("data") or {}).get("login") or {}
    if response.status != 200 or not login.get("accessToken") or login.get("errors"):
        raise SystemExit(f"login failed ({response.status}): {payload[:500]!r}")
    return elapsed
for _ in range(3):  # warm up
    sign_in()
verify, make, logins = [], [], []
for _ in range(%(n)d):
    started = time.perf_counter()
    assert check_password(%(password)r, encoded)
    verify.append((time.perf_counter() - started) * 1000)
    logins.append(sign_in())
    started = time.perf_counter()
    make_password(%(password)r)
    make.append((time.perf_counter() - started) * 1000)
print("PAIRED " + json.dumps({"hasher": get_hasher().algorithm, "prefix": encoded.split("$")[:4],
                              "verify": verify, "make": make, "logins": logins}))
"""


def paired_timings(stack: Stack, port: int, count: int) -> dict:
    script = PAIRED_TIMER % {
        "email": EMAIL,
        "password": PASSWORD,
        "n": count,
        "port": port,
        "login": LOGIN,
    }
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("PAIRED "))
    return json.loads(line[len("PAIRED ") :])


def worker_cpu_seconds(master: int) -> float:
    """User + system CPU seconds of the gunicorn workers (the master's children) so far.

    Unlike req/s, CPU spent per request hardly depends on what else runs on the machine,
    so it is printed beside the ratios as a load-independent cross-check (it leaves out
    PostgreSQL's and Redis's own CPU and the time spent waiting on them)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    children = Path(f"/proc/{master}/task/{master}/children")
    for pid in children.read_text().split() if children.exists() else ():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a worker that just exited
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    per_round = max(15000, DURATION * 3000)
    loads: list[float] = []
    rounds: list[dict[str, dict[str, float]]] = []
    # The server environment drops BENCH_* variables; the seeding and profiling knobs pass.
    knobs = {k: v for k, v in os.environ.items() if k.startswith("BENCH_")}
    with Stack(refresh_tokens=ROUNDS * per_round) as stack:
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", (BENCH / "seed_content.py").read_text()],
            cwd=ROOT,
            env={**stack.env, **knobs},
            check=True,
        )
        port = stack.gunicorn(
            workers=WORKERS,
            worker_class=WORKER_CLASS,
            **({"GUNICORN_THREADS": THREADS} if THREADS else {}),
            **({"GUNICORN_MAX_REQUESTS": MAX_REQUESTS} if MAX_REQUESTS else {}),
            RATE_LIMITS="login:email=1000000/15m,login:ip=1000000/15m",
        )
        base = f"http://127.0.0.1:{port}"
        master = stack.processes[-1].pid
        log(f"gunicorn, {WORKERS} {WORKER_CLASS} workers (gunicorn.conf.py), on {base}")
        for name, script, path in ENDPOINTS[:3]:  # warm up: pools, imports, parsed documents
            warm = stack.wrk(base + path, script, connections=4, duration=2)
            if warm["bad"]:
                sys.exit(f"{name}: {warm['bad']} bad answers while warming up\n{stack.logs()}")
        spent = 0
        for number in range(1, ROUNDS + 1):
            results: dict[str, dict[str, float]] = {}
            for name, script, path in ENDPOINTS:
                log(f"round {number}/{ROUNDS}: wrk -t1 -c{CONNECTIONS} -d{DURATION}s {name}")
                cpu_before = worker_cpu_seconds(master)
                results[name] = stack.wrk(
                    base + path,
                    script,
                    connections=CONNECTIONS,
                    duration=DURATION,
                    BENCH_TOKEN_OFFSET=str(spent),
                )
                done = results[name]["requests"]
                cpu = worker_cpu_seconds(master) - cpu_before
                results[name]["cpu_ms"] = cpu * 1000 / done if done else float("nan")
                if name == "refresh":
                    spent += int(results[name]["requests"]) + CONNECTIONS
            loads.append(os.getloadavg()[0])
            rounds.append(results)
        # The sign-ins go to a gunicorn of their own with bench/signin_probe on its path,
        # which times each sign-in's own password verification inside the worker.
        probe = stack.workdir / "signin-probe.txt"
        signin_port = stack.gunicorn(
            workers=WORKERS,
            worker_class=WORKER_CLASS,
            **({"GUNICORN_THREADS": THREADS} if THREADS else {}),
            PYTHONPATH=f"{BENCH / 'signin_probe'}{os.pathsep}{stack.env['PYTHONPATH']}",
            BENCH_SIGNIN_PROBE=str(probe),
            RATE_LIMITS="login:email=1000000/15m,login:ip=1000000/15m",
        )
        log(f"sign-in: {SIGNINS} sequential logins over HTTP, {SIGNINS} password hashes")
        hashes = paired_timings(stack, signin_port, SIGNINS)
        loads.append(os.getloadavg()[0])
        # One line per sign-in in order, the warm-up ones first (PAIRED_TIMER's three).
        probed = [tuple(map(float, line.split())) for line in probe.read_text().splitlines()]
        probed = probed[len(probed) - SIGNINS :]

    # A round in which an endpoint completed nothing (the machine stalled: it happens on
    # the shared VM) has no ratio; it is shown but left out of the medians.
    stalled = [n for n, r in enumerate(rounds, 1) if any(not r[e]["requests"] for e in r)]
    measured = [r for n, r in enumerate(rounds, 1) if n not in stalled]
    if not measured:
        sys.exit(f"every round stalled (load average up to {max(loads):.1f}); run it again")

    def med(name: str, key: str) -> float:
        return statistics.median(r[name][key] for r in measured)

    print()
    print(
        f"nproc {os.cpu_count()}, load average {min(loads):.1f}-{max(loads):.1f} during the "
        f"runs (a shared machine: other work competes for the cores, so req/s are noisy; "
        f"the ratios are taken within each round)"
    )
    print(
        f"gunicorn {WORKERS} {WORKER_CLASS} workers"
        + (f" x {THREADS or 4} threads" if WORKER_CLASS == "gthread" else "")
        + f" (max_requests {MAX_REQUESTS or 'of gunicorn.conf.py'}), "
        f"PostgreSQL + Redis; "
        f"wrk -t1 -c{CONNECTIONS} "
        f"-d{DURATION}s; median of {len(measured)} round(s)"
        + (f" (round(s) {stalled} stalled and left out)" if stalled else "")
    )
    print(
        f"{'endpoint':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'bad':>5} "
        f"{'cpu ms':>7}  rounds req/s"
    )
    for name, _, _ in ENDPOINTS:
        print(
            f"{name:<9} {med(name, 'rps'):>8.0f} {med(name, 'p50_ms'):>8.2f} "
            f"{med(name, 'p99_ms'):>8.2f} {sum(r[name]['bad'] for r in rounds):>5.0f} "
            f"{med(name, 'cpu_ms'):>7.3f}  " + " ".join(f"{r[name]['rps']:.0f}" for r in rounds)
        )

    def ratio(name: str) -> tuple[float, list[float]]:
        values = [r[name]["rps"] / r["healthz"]["rps"] for r in measured]
        return statistics.median(values), values

    verify_ms = statistics.median(hashes["verify"])
    make_ms = statistics.median(hashes["make"])
    login_ms = statistics.median(hashes["logins"])
    pairs = zip(hashes["logins"], hashes["verify"], strict=True)
    paired = statistics.median(login - verify for login, verify in pairs)
    print()
    print(
        f"sign-in: median of {SIGNINS} sequential `login` over HTTP {login_ms:.1f} ms; "
        f"one password verification ({hashes['hasher']}, "
        f"{'$'.join(hashes['prefix'][1:])}) {verify_ms:.1f} ms, make_password {make_ms:.1f} ms"
    )
    print()
    print(
        "cpu ms: gunicorn workers' CPU per request (median of the rounds); the same ratios "
        "by CPU, which load on the machine hardly moves: "
        + ", ".join(
            f"{name} {med('healthz', 'cpu_ms') / med(name, 'cpu_ms'):.1%}"
            for name in ("articles", "me", "refresh")
        )
    )
    print()
    print("ratios (median of the rounds; each round's in brackets):")
    targets = (("articles", 0.30), ("me", 0.60), ("refresh", 0.20))
    for name, target in targets:
        value, values = ratio(name)
        line = f"  {name}/healthz {value:.1%} (target >= {target:.0%}: {verdict(value >= target)})"
        print(line + "  [" + ", ".join(f"{v:.1%}" for v in values) + "]")
        if name == "me":
            p99 = med("me", "p99_ms")
            print(f"  me p99 {p99:.2f} ms (target < 10 ms: {verdict(p99 < 10)})")
    print(
        f"  sign-in minus one hash {paired:.1f} ms, median of the paired differences "
        f"(difference of the medians {login_ms - verify_ms:.1f} ms; "
        f"target <= 5 ms: {verdict(paired <= 5)})"
    )
    if len(probed) == SIGNINS:
        inside = statistics.median(total - own for total, own in probed)
        around = statistics.median(
            login - total for login, (total, _) in zip(hashes["logins"], probed, strict=True)
        )
        print(
            f"    inside the worker: sign-in minus its own hash {inside:.1f} ms (median of "
            f"{SIGNINS}; Django's handler, bench/signin_probe); HTTP, gunicorn and the "
            f"client around it {around:.1f} ms"
        )
    if max(loads) > (os.cpu_count() or 1):
        print(
            f"  NOTE: the load average ({max(loads):.1f}) exceeded nproc ({os.cpu_count()}): "
            "other work shared the cores, so these figures (the sign-in difference above "
            "all, a few hashes against a few sign-ins) are not a clean measurement"
        )
    if any(r[name]["bad"] for r in rounds for name, _, _ in ENDPOINTS):
        print("  WARNING: some answers were bad (see the `bad` column); the figures are suspect")
    print(flush=True)


if __name__ == "__main__":
    main()

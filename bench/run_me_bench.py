"""Load benchmark: /healthz, authenticated `{ me { id email } }` and `refresh`.

One command, self-contained: installs wrk if missing, creates a throw-away PostgreSQL
database, migrates and seeds it, starts the production configuration (gunicorn, 2 sync
workers, DJANGO_ENV=production) on a free port, runs wrk (1 thread, 16 connections) against
each endpoint, prints a table, and removes its processes, database and Redis keys.

Environment: BENCH_DURATION (seconds per run, default 15), BENCH_CONNECTIONS (16),
BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_REDIS (redis://127.0.0.1:6379/0),
BENCH_WORKERS (2), BENCH_DIAGNOSTICS=1 (adds a signed-in `{ __typename }` row),
BENCH_DB=persistent (A/B: CONN_MAX_AGE connections instead of the psycopg pool),
BENCH_ROUNDS (1; more rounds print the median ratio, useful on a busy machine).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

DURATION = int(os.environ.get("BENCH_DURATION", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("installing wrk (apt-get install -y wrk)")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is not available; install it (Debian: apt-get install wrk)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database: str, prefix: str, keys: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BENCH_"))}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=f"{ROOT / 'server'}:{ROOT}",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        FRONTEND_URL="https://app.example.com",
        CORS_ALLOWED_ORIGINS="https://app.example.com",
        DATABASE_URL=f"{PG}/{database}",
        DATABASE_POOL_MIN_SIZE="2",
        REDIS_URL=REDIS,
        CACHE_KEY_PREFIX=prefix,
        DEFAULT_FROM_EMAIL="Bench <bench@example.com>",
        EMAIL_URL="console:",
        JWT_PRIVATE_KEYS=keys,
        MFA_ENCRYPTION_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ACCESS_TOKEN_LIFETIME="1h",
        GOOGLE_CLIENT_IDS="bench.apps.googleusercontent.com",
        GOOGLE_CLIENT_SECRET="bench-google-secret",
        STRIPE_SECRET_KEY="sk_test_bench",
        STRIPE_WEBHOOK_SECRET="whsec_bench",
        TRUSTED_PROXY_COUNT="0",
        LOG_LEVEL="WARNING",
    )
    return env


def wait_ready(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)


def run_wrk(
    wrk: str,
    url: str,
    script: Path,
    workdir: Path,
    env: dict[str, str],
    offset: int = 0,
    *,
    connections: int = CONNECTIONS,
    duration: int = DURATION,
    extra_env: dict[str, str] | None = None,
) -> dict:
    """One wrk run (one thread) with `script` and report.lua. Returns requests, rps, p50/p99
    ms and bad (unexpected answers plus socket errors)."""
    combined = workdir / f"{script.stem}.run.lua"
    combined.write_text(script.read_text() + "\n" + (BENCH / "report.lua").read_text())
    out = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(combined),
            url,
        ],
        env={
            **env,
            "BENCH_DIR": str(workdir),
            "BENCH_TOKEN_OFFSET": str(offset),
            **(extra_env or {}),
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"^BENCH (.*)$", out, re.MULTILINE)
    if not match:
        sys.exit(f"wrk printed no result:\n{out}")
    fields = dict(item.split("=") for item in match.group(1).split())
    requests, seconds = int(fields["requests"]), float(fields["seconds"])
    return {
        "rps": requests / seconds,
        "requests": requests,
        "p50_ms": int(fields["p50_us"]) / 1000,
        "p99_ms": int(fields["p99_us"]) / 1000,
        "bad": int(fields["bad"]) + int(fields["socket_errors"]),
    }


def print_table(results: dict[str, dict], title: str) -> None:
    health = results["healthz"]["rps"]
    print()
    print(title)
    print(f"{'endpoint':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'share':>7} {'bad':>5}")
    for name, row in results.items():
        share = row["rps"] / health * 100
        print(
            f"{name:<10} {row['rps']:>9.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
            f"{share:>6.1f}% {row['bad']:>5}"
        )
    print("typename: anonymous `{ __typename }`, the floor of any GraphQL request")
    if "auth_tn" in results:
        print("auth_tn: `{ __typename }` with the bearer token (JWT + Redis, no database)")
    print(
        f"me/healthz {results['me']['rps'] / health:.2f} (target >= 0.45)   "
        f"refresh/healthz {results['refresh']['rps'] / health:.2f} (target >= 0.15)   "
        f"me p99 {results['me']['p99_ms']:.2f} ms (target < 15)"
    )
    print(flush=True)


def main() -> None:
    wrk = ensure_wrk()
    tag = f"{os.getpid()}_{secrets.token_hex(3)}"
    database = f"gatehouse_bench_{tag}"
    prefix = f"bench{tag}"
    workdir = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
    processes: list[subprocess.Popen] = []
    admin = psycopg.connect(f"{PG}/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{database}"')
    try:
        keys = subprocess.run(
            [PYTHON, "manage.py", "generate_signing_key", "--set"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "DJANGO_ENV": "development"},
        ).stdout.strip()
        env = server_env(database, prefix, keys)
        if os.environ.get("BENCH_DB") == "persistent":
            # A/B only: persistent per-worker connections instead of the psycopg pool.
            env["DJANGO_SETTINGS_MODULE"] = "bench.settings_persistent_db"
        log(f"database {database}: migrating and seeding")
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        per_run = int(os.environ.get("BENCH_REFRESH_TOKENS", "0")) or ROUNDS * max(
            20000, DURATION * 3000
        )
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", (BENCH / "seed.py").read_text()],
            cwd=ROOT,
            env={**env, "BENCH_OUT": str(workdir), "BENCH_REFRESH_TOKENS": str(per_run)},
            check=True,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = workdir / "gunicorn.log"
        log(f"gunicorn, {WORKERS} sync workers, on {base} ({env['DJANGO_SETTINGS_MODULE']})")
        processes.append(
            subprocess.Popen(
                [
                    GUNICORN,
                    "config.wsgi:application",
                    "--workers",
                    str(WORKERS),
                    "--worker-class",
                    "sync",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--backlog",
                    "2048",
                    "--access-logfile",
                    "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
                ],
                cwd=ROOT,
                env=env,
                stdout=log_path.open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        wait_ready(base, processes[0], log_path)
        # Warm up: pools filled, code paths imported, caches of parsed documents filled.
        for script, path in (("healthz", "/healthz"), ("me", "/graphql/")):
            subprocess.run(
                [wrk, "-t1", "-c4", "-d2s", "-s", str(BENCH / f"{script}.lua"), base + path],
                env={**env, "BENCH_DIR": str(workdir)},
                capture_output=True,
                check=True,
            )
        endpoints = [
            ("healthz", "healthz.lua", "/healthz"),
            ("me", "me.lua", "/graphql/"),
            ("refresh", "refresh.lua", "/graphql/"),
            ("typename", "typename.lua", "/graphql/"),
        ]
        if os.environ.get("BENCH_DIAGNOSTICS"):
            # Where the time between the floor and `me` goes.
            endpoints.append(("auth_tn", "auth_typename.lua", "/graphql/"))
        rounds: list[dict[str, dict]] = []
        spent = 0
        for number in range(1, ROUNDS + 1):
            results: dict[str, dict] = {}
            for name, script, path in endpoints:
                log(f"round {number}/{ROUNDS}: wrk -t1 -c{CONNECTIONS} -d{DURATION}s {name}")
                results[name] = run_wrk(wrk, base + path, BENCH / script, workdir, env, spent)
                if name == "refresh":
                    spent += results[name]["requests"] + CONNECTIONS
            rounds.append(results)
            print_table(results, f"round {number}/{ROUNDS}")
        if ROUNDS > 1:
            print("median of the rounds' ratios:")
            for name in ("me", "refresh"):
                ratios = sorted(r[name]["rps"] / r["healthz"]["rps"] for r in rounds)
                print(
                    f"  {name}/healthz {statistics.median(ratios):.2f}  (rounds: "
                    + ", ".join(f"{x:.2f}" for x in ratios)
                    + ")"
                )
            p99s = sorted(r["me"]["p99_ms"] for r in rounds)
            print(f"  me p99 {statistics.median(p99s):.2f} ms")
        if os.environ.get("BENCH_JSON"):
            Path(os.environ["BENCH_JSON"]).write_text(json.dumps(rounds, indent=2))
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(f"{prefix}:*", count=1000):
            client.delete(key)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Shared by the production benchmarks (run_memory_bench, run_redis_keys_bench, run_ratios,
run_proxy_bench, profile_articles): a throw-away database seeded by seed.py, gunicorn started with
gunicorn.conf.py in the production configuration (run_me_bench.server_env), Debian's nginx
rendered from the proxy image's template (server/ops/proxy.py), and wrk runs that stop after
a number of requests or a bounded duration. Loopback only; everything is removed at exit.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import redis

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT / "server"), str(BENCH)]

from run_me_bench import (  # noqa: E402
    PG,
    PYTHON,
    REDIS,
    ensure_wrk,
    free_port,
    run_wrk,
    server_env,
)

from ops.proxy import local_nginx_config, nginx_binary, nginx_command  # noqa: E402


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


class Stack:
    """Context manager: a database, processes and a work folder, all removed at exit."""

    def __init__(self, *, refresh_tokens: int = 0) -> None:
        self.refresh_tokens = refresh_tokens
        tag = f"{os.getpid()}_{secrets.token_hex(3)}"
        self.database = f"gatehouse_bench_{tag}"
        self.prefix = f"bench{tag}"
        self.workdir = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
        self.processes: list[subprocess.Popen] = []
        self.wrk_binary = ensure_wrk()
        self.env: dict[str, str] = {}

    def __enter__(self) -> Stack:
        self.admin = psycopg.connect(f"{PG}/postgres", autocommit=True)
        self.admin.execute(f'CREATE DATABASE "{self.database}"')
        keys = subprocess.run(
            [PYTHON, "manage.py", "generate_signing_key", "--set"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "DJANGO_ENV": "development"},
        ).stdout.strip()
        self.env = server_env(self.database, self.prefix, keys)
        log(f"database {self.database}: migrating and seeding")
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", (BENCH / "seed.py").read_text()],
            cwd=ROOT,
            env={
                **self.env,
                "BENCH_OUT": str(self.workdir),
                "BENCH_REFRESH_TOKENS": str(self.refresh_tokens),
            },
            check=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            self.stop(process)
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self.admin.close()
        self.delete_redis_keys()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def logs(self) -> str:
        """The tail of every gunicorn log, for a failure message."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-2000:]}"
            for path in sorted(self.workdir.glob("gunicorn-*.log"))
        )

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(REDIS)

    def delete_redis_keys(self) -> None:
        client = self.redis()
        for key in client.scan_iter(f"{self.prefix}:*", count=1000):
            client.delete(key)

    @staticmethod
    def stop(process: subprocess.Popen) -> None:
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def _wait(self, base: str, process: subprocess.Popen, log_path: Path) -> None:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    return
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"{base} did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)

    def gunicorn(self, *, workers: int, worker_class: str = "sync", **extra: str) -> int:
        """Start one gunicorn process (gunicorn.conf.py); returns its port."""
        port = free_port()
        log_path = self.workdir / f"gunicorn-{port}.log"
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_WORKER_CLASS": worker_class,
            "GUNICORN_ACCESS_LOG": "",
            "GUNICORN_LOG_LEVEL": "warning",
            **extra,
        }
        process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--backlog", "2048"],
            cwd=ROOT,
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        self._wait(f"http://127.0.0.1:{port}", process, log_path)
        return port

    def nginx(self, upstream_ports: list[int]) -> int:
        """Start Debian's nginx with the proxy image's configuration; returns its port."""
        binary = nginx_binary()
        if binary is None:
            sys.exit("nginx is not installed (Debian: apt-get install nginx-light)")
        listen = free_port()
        folder = self.workdir / f"nginx-{listen}"
        (folder / "dist").mkdir(parents=True)
        (folder / "dist" / "index.html").write_text("<!doctype html><title>Gatehouse</title>")
        config = local_nginx_config(
            folder, listen=listen, upstream_ports=upstream_ports, web_root=folder / "dist"
        )
        out = folder / "nginx.out"
        process = subprocess.Popen(
            nginx_command(binary, folder, config),
            stdout=out.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        self._wait(f"http://127.0.0.1:{listen}", process, out)
        return listen

    def wrk(
        self,
        url: str,
        script: str,
        *,
        connections: int = 16,
        duration: int = 10,
        **extra_env: str,
    ) -> dict[str, float]:
        """One wrk run of `duration` seconds (one thread). Returns requests, rps, p50/p99 ms
        and bad (unexpected answers plus socket errors)."""
        return run_wrk(
            self.wrk_binary,
            url,
            BENCH / script,
            self.workdir,
            self.env,
            connections=connections,
            duration=duration,
            extra_env=extra_env,
        )

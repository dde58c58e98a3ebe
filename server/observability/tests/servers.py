"""Real server processes for these tests: gunicorn as in production, on the test database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection

from api.testing import free_port, wait_until_serving
from tokens.keys import generate_private_jwk

ROOT = Path(__file__).resolve().parents[3]
KEYS = json.dumps({"keys": [generate_private_jwk("observability-tests")]})


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a production-like process on this test's database and Redis."""
    database = connection.settings_dict
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT / "server"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}",
        "REDIS_URL": str(settings.CACHES["default"]["LOCATION"]),
        "CACHE_KEY_PREFIX": str(settings.CACHES["default"]["KEY_PREFIX"]),
        "JWT_PRIVATE_KEYS": KEYS,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class Gunicorn:
    """gunicorn with N sync workers and the observability hooks, as gunicorn.conf.py would."""

    def __init__(self, tmp: Path, log: IO[str], *, workers: int, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        config = tmp / "gunicorn_test.conf.py"
        config.write_text(
            "from observability.gunicorn_hooks import child_exit, logconfig_dict, on_starting\n"
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(config),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=server_env(GATEHOUSE_VAR_DIR=str(tmp / "var"), **env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, timeout: float = 60) -> None:
        wait_until_serving(self.base, self.process, self.log, timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def get(base: str, path: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(f"{base}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()

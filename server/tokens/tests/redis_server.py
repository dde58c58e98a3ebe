"""A real redis-server of the test's own, on a free port, that a test can kill and restart.

Never the shared Redis on 6379: stopping that one would disturb every other test run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.test import override_settings

from api.testing import free_port


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # The append-only file, synced on every write, keeps the data across a kill, as a
        # production Redis with `appendonly yes` does.
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--dir", str(self.directory),
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--save", "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
            finally:
                client.close()

    def kill(self) -> None:
        """SIGKILL, as a crashed or OOM-killed Redis."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def own_redis(directory: Path) -> Iterator[RedisServer]:
    """Start a redis-server and point Django's cache at it for the block."""
    server = RedisServer(directory)
    server.start()
    cache_settings: dict[str, Any] = {
        **settings.CACHES["default"],
        "LOCATION": server.url,
        "KEY_PREFIX": f"outage{os.getpid()}",
    }
    try:
        # Swapping CACHES gives new cache objects, and with them new connection pools;
        # tokens/revocation.py keys its raw client on the cache object, so it follows.
        with override_settings(CACHES={"default": cache_settings}):
            yield server
    finally:
        server.kill()

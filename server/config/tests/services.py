"""Real Redis and PgBouncer processes started by the tests, on spare ports in temp dirs.

A missing binary fails the test with the Debian package to install; it never skips.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.testing import free_port

PACKAGES = {
    "redis-server": "redis-server",
    "pgbouncer": "pgbouncer",
}


def binary(name: str, *extra_dirs: str) -> str:
    found = shutil.which(name) or next(
        (str(Path(d) / name) for d in extra_dirs if (Path(d) / name).exists()), None
    )
    if found is None:
        pytest.fail(
            f"`{name}` is not installed; this test runs the real one. "
            f"Install it with: apt-get install -y {PACKAGES[name]}"
        )
    return found


def wait_for(what: str, check: Callable[[], Any], timeout: float = 30) -> Any:
    """Poll `check` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception as exc:  # not up yet
            last = exc
        else:
            if result:
                return result
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what} (last error: {last!r})")


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Process:
    """A server process we started, with its log, stopped (killed if need be) at the end."""

    def __init__(self, name: str, args: list[str], workdir: Path) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            args, cwd=workdir, stdout=self._log, stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text()[-3000:]


class RedisSentinelSet:
    """A master, a replica and three sentinels watching them as `name`."""

    def __init__(self, tmp: Path, name: str = "gatehouse") -> None:
        self.server = binary("redis-server")
        self.tmp = tmp
        self.name = name
        self.ports = {"a": free_port(), "b": free_port()}
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.processes: dict[str, Process] = {}

    def _redis(self, label: str, replica_of: int | None) -> None:
        folder = self.tmp / f"redis-{label}"
        folder.mkdir(exist_ok=True)
        args = [
            self.server,
            "--port", str(self.ports[label]),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(folder),
        ]  # fmt: skip
        if replica_of is not None:
            args += ["--replicaof", "127.0.0.1", str(replica_of)]
        self.processes[label] = Process(f"redis-{label}", args, folder)

    def start(self) -> None:
        self._redis("a", None)
        wait_for("the master", lambda: listening(self.ports["a"]))
        self._redis("b", self.ports["a"])
        for n, port in enumerate(self.sentinel_ports):
            folder = self.tmp / f"sentinel-{n}"
            folder.mkdir(exist_ok=True)
            config = folder / "sentinel.conf"
            config.write_text(
                f"port {port}\n"
                "bind 127.0.0.1\n"
                f"dir {folder}\n"
                f"sentinel monitor {self.name} 127.0.0.1 {self.ports['a']} 2\n"
                f"sentinel down-after-milliseconds {self.name} 1000\n"
                f"sentinel failover-timeout {self.name} 3000\n"
                f"sentinel parallel-syncs {self.name} 1\n"
            )
            self.processes[f"sentinel-{n}"] = Process(
                f"sentinel-{n}", [self.server, str(config), "--sentinel"], folder
            )
        wait_for("the replica to sync", lambda: self.replica_in_sync(self.ports["a"]))
        wait_for("the sentinels to know each other and the replica", self.sentinels_agree)

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()

    def client(self, port: int, **kwargs: Any) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2, **kwargs)

    def sentinel(self, n: int = 0) -> Any:
        return self.client(self.sentinel_ports[n], decode_responses=True)

    @property
    def sentinels_setting(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)

    def master_port(self) -> int:
        """Where all three sentinels say the master is now."""
        command = ("SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.name)
        answers = {int(self.sentinel(n).execute_command(*command)[1]) for n in range(3)}
        assert len(answers) == 1, f"sentinels disagree: {answers}"
        return answers.pop()

    def replica_in_sync(self, master_port: int) -> bool:
        info = self.client(master_port).info("replication")
        replica = info.get("slave0")
        return bool(
            info.get("role") == "master"
            and replica
            and replica.get("state") == "online"
            and replica.get("offset") == info.get("master_repl_offset")
        )

    def sentinels_agree(self) -> bool:
        for n in range(3):
            sentinel = self.sentinel(n)
            replicas = sentinel.execute_command("SENTINEL", "REPLICAS", self.name)
            others = sentinel.execute_command("SENTINEL", "SENTINELS", self.name)
            if len(others) != 2 or not replicas:
                return False
            for replica in replicas:
                fields = replica
                if isinstance(replica, list):
                    fields = dict(zip(replica[::2], replica[1::2], strict=True))
                if "s_down" in fields["flags"] or "disconnected" in fields["flags"]:
                    return False
        return True

    def label_of(self, port: int) -> str:
        return next(label for label, p in self.ports.items() if p == port)


class PgBouncer:
    """PgBouncer in transaction mode in front of the test PostgreSQL, every database name
    passed through (`*`), user postgres trusted as PostgreSQL itself trusts it here."""

    def __init__(self, workdir: Path, *, host: str, port: int) -> None:
        self.binary = binary("pgbouncer", "/usr/sbin")
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        # PgBouncer refuses to run as root; as root we hand it to `nobody`, who must be
        # able to read its files.
        workdir.chmod(0o755)
        users = workdir / "userlist.txt"
        users.write_text('"postgres" ""\n')
        self.config = workdir / "pgbouncer.ini"
        self.config.write_text(
            "[databases]\n"
            f"* = host={host} port={port}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {users}\n"
            "pool_mode = transaction\n"
            "max_client_conn = 200\n"
            "default_pool_size = 10\n"
            # psycopg sends none of these; libpq clients may
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        for path in (users, self.config):
            path.chmod(0o644)
        args = [self.binary, "-v"]
        if os.geteuid() == 0:
            args += ["-u", "nobody"]
        self.process = Process("pgbouncer", [*args, str(self.config)], workdir)

    def wait(self) -> None:
        wait_for("pgbouncer to listen", lambda: listening(self.port) or self._died())

    def _died(self) -> bool:
        if self.process.process.poll() is not None:
            pytest.fail(f"pgbouncer exited:\n{self.process.log()}")
        return False

    def stop(self) -> None:
        self.process.stop()

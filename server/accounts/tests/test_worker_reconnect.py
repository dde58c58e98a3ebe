"""`manage.py worker` survives PostgreSQL cutting its connections and goes on delivering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from accounts.tests.conftest import SmtpSink
from core.tests.pg import connect, terminate

ROOT = Path(__file__).resolve().parents[3]
APP = "gatehouse-worker-test"
REGISTER = """
mutation Register($email: String!, $password: String!) {
  register(input: {email: $email, password: $password}) { ok errors { code } }
}
"""


def start_worker(sink: SmtpSink, log) -> subprocess.Popen[bytes]:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}",
        "REDIS_URL": str(settings.CACHES["default"]["LOCATION"]),
        "CACHE_KEY_PREFIX": str(settings.CACHES["default"]["KEY_PREFIX"]),
        "TASK_BACKEND": "database",
        "EMAIL_URL": sink.url,
        "PGAPPNAME": APP,
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [
            *(sys.executable, "manage.py", "worker"),
            *("--interval", "0.05", "--no-startup-delay", "--no-reload"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def worker_connected() -> bool:
    with connect(autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            (APP,),
        ).fetchone()
    return bool(row and row[0])


def wait_for(condition, timeout: float, what: str, log) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            log.seek(0)
            raise AssertionError(f"{what} did not happen:\n{log.read()[-4000:]}")
        time.sleep(0.05)


def test_the_worker_reconnects_after_its_connections_are_cut(
    transactional_db, gql, smtp_sink: SmtpSink, tmp_path
):
    log = (tmp_path / "worker.log").open("w+")
    worker = start_worker(smtp_sink, log)
    try:
        wait_for(worker_connected, 30, "the worker connecting", log)

        # when: PostgreSQL cuts the worker's connections, again and again for two seconds
        # (a restart, a failover), some of them in the middle of a query
        cut = 0
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            cut += terminate("application_name = %s", (APP,))
            time.sleep(0.02)
        assert cut >= 1

        # then: the worker is still running, and delivers what is queued afterwards
        assert worker.poll() is None, log.seek(0) or log.read()[-4000:]
        result = gql(REGISTER, {"email": "ada@example.com", "password": "first-passphrase-1"})
        assert result.data == {"register": {"ok": True, "errors": []}}
        wait_for(lambda: len(smtp_sink.inbox) == 1, 40, "delivery of the queued email", log)
        assert smtp_sink.inbox[0]["To"] == "ada@example.com"
        assert worker.poll() is None
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)

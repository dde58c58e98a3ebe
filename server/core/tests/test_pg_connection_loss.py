"""PostgreSQL connections lost under a running server: the next request gets a live one,
and a request that failed spends no cooldown.

A real server process (runserver, which closes connections per request as gunicorn does;
Django's test client keeps them open across requests), whose connections carry their own
`application_name` so that only they are cut.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from api.testing import free_port, wait_until_serving
from core.tests.pg import connect, terminate
from tokens.tests.test_two_processes import LOGIN, PASSWORD, post, start_server

APP = "gatehouse-pg-loss-test"
REQUEST_RESET = """
mutation R($email: String!) { requestPasswordReset(email: $email) { ok errors { code } } }
"""


@pytest.fixture
def server(transactional_db, tmp_path, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("PGAPPNAME", APP)
    monkeypatch.setenv("TASK_BACKEND", "database")
    port = free_port()
    log = (tmp_path / "server.log").open("w+")
    process = start_server(port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, log, timeout=60)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def server_backends(extra: str = "TRUE") -> int:
    return terminate(f"application_name = %s AND ({extra})", (APP,))


def test_requests_after_every_connection_was_cut_are_served(server):
    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)
    variables = {"email": "ada@example.com", "password": PASSWORD, "transport": "BODY"}
    # given: the server's pool holds connections that served requests
    for _ in range(3):
        assert post(server, LOGIN, variables)["data"]["login"]["errors"] == []

    # when: PostgreSQL drops every one of them (a restart, a failover)
    assert server_backends() >= 1

    # then: the very next requests are served on fresh connections, none fails
    for _ in range(4):
        body = post(server, LOGIN, variables)
        assert "errors" not in body, body
        assert body["data"]["login"]["errors"] == []


def test_a_reset_request_that_failed_does_not_spend_the_cooldown(server):
    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)
    # given: the task table is locked, so the request will wait on its INSERT…
    holder = connect()
    holder.execute(f"LOCK TABLE {DBTaskResult._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    killed = threading.Event()

    def cut_the_waiting_request() -> None:
        # …and its connection is cut while it waits
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not killed.is_set():
            if server_backends("wait_event_type = 'Lock'"):
                killed.set()
            time.sleep(0.05)

    killer = threading.Thread(target=cut_the_waiting_request)
    killer.start()
    try:
        failed = post(server, REQUEST_RESET, {"email": "ada@example.com"})
    finally:
        killer.join()
        holder.rollback()
        holder.close()
    assert killed.is_set()
    assert [e["extensions"]["code"] for e in failed["errors"]] == ["INTERNAL_SERVER_ERROR"]
    assert not DBTaskResult.objects.exists()

    # when: the user asks again right away
    again = post(server, REQUEST_RESET, {"email": "ada@example.com"})

    # then: the email is queued, not refused as "just requested"
    assert again["data"] == {"requestPasswordReset": {"ok": True, "errors": []}}
    assert DBTaskResult.objects.count() == 1

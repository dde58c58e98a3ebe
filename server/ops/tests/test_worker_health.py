"""`manage.py worker_health`: the worker's compose health check tells a stalled queue."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from accounts.tests.conftest import run_worker, smtp_sink  # noqa: F401  (fixtures)
from api.testing import free_port

ROOT = Path(__file__).resolve().parents[3]
REQUEST_RESET = "mutation($email: String!) { requestPasswordReset(email: $email) { ok } }"


def health(max_wait: str = "5m") -> str:
    out = StringIO()
    call_command("worker_health", "--max-wait", max_wait, stdout=out)
    return out.getvalue().strip()


def test_a_due_email_nobody_sends_makes_the_worker_unhealthy(
    transactional_db,
    gql,
    smtp_sink,  # noqa: F811
    run_worker,  # noqa: F811
):
    assert health() == "healthy"  # an empty queue
    User.objects.create_user("ada@example.com", "a-long-passphrase-1", email_verified=True)
    assert gql(REQUEST_RESET, {"email": "ada@example.com"}).data == {
        "requestPasswordReset": {"ok": True}
    }
    assert health() == "healthy"  # just queued

    # ten minutes pass and no worker picks it up
    earlier = timezone.now() - timedelta(minutes=10)
    DBTaskResult.objects.update(enqueued_at=earlier)
    DBTaskResult.objects.exclude(run_after__year=9999).update(run_after=earlier)
    with pytest.raises(CommandError, match="a due email has waited 6"):
        health()

    run_worker()
    assert len(smtp_sink.inbox) == 1
    assert health() == "healthy"


def test_an_email_waiting_for_its_retry_is_not_a_stall(
    transactional_db,
    gql,
    smtp_sink,  # noqa: F811
    run_worker,  # noqa: F811
):
    smtp_sink.stop()  # the provider is down: the worker schedules a retry
    User.objects.create_user("ada@example.com", "a-long-passphrase-1", email_verified=True)
    gql(REQUEST_RESET, {"email": "ada@example.com"})
    run_worker()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    assert health("1m") == "healthy"


def test_an_unreachable_database_is_unhealthy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/gatehouse",
    }
    check = subprocess.run(
        [sys.executable, "manage.py", "worker_health"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 1
    assert "the database is unreachable" in check.stderr


def test_a_bad_max_wait_is_refused(db):
    with pytest.raises(CommandError, match="--max-wait: not a duration"):
        health("soon")

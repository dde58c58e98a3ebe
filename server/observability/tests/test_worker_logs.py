"""13.2: the email worker logs in the same JSON format, and never the link it sends."""

from __future__ import annotations

import json
import subprocess
import sys

from django.test import override_settings

from accounts.models import User
from accounts.services import password_reset_request
from accounts.tests.conftest import DATABASE_TASKS, SmtpSink, token_in
from observability.tests.servers import ROOT, server_env


def test_the_worker_logs_one_json_object_per_line_without_the_link(transactional_db):
    User.objects.create_user("ada@example.com", "correct-horse-battery-9", email_verified=True)
    with override_settings(TASKS=DATABASE_TASKS):
        password_reset_request(email="ada@example.com")
    sink = SmtpSink()
    sink.start()
    try:
        worker = subprocess.run(
            [sys.executable, "manage.py", "worker", "--batch", "--no-startup-delay"],
            cwd=ROOT,
            env=server_env(
                LOG_FORMAT="json", TASK_BACKEND="database", EMAIL_URL=sink.url, LOG_LEVEL="DEBUG"
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        sink.stop()
    assert worker.returncode == 0, worker.stderr
    (message,) = sink.inbox
    token = token_in(message, "reset-password")

    output = worker.stdout + worker.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    assert any(r["logger"].startswith("django_tasks_db") for r in records)
    assert any("SUCCESSFUL" in r["message"] for r in records)
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys()
    assert token not in output
    assert "reset-password?" not in output

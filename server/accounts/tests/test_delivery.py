"""Emails travel for real: database task queue, the worker command, SMTP to a local sink.

These tests commit (transactional_db) like production does, so that the task row, the
worker and the SMTP server all see what a real deployment would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from accounts.services import password_reset_request, user_register
from accounts.tasks import retry_delay
from accounts.tests.conftest import DATABASE_TASKS, SmtpSink, text_part, token_in
from config.email_url import email_settings
from core import ratelimit

REGISTER = """
mutation Register($email: String!, $password: String!) {
  register(input: {email: $email, password: $password}) { ok errors { code } }
}
"""
VERIFY = "mutation V($token: String!) { verifyEmail(token: $token) { ok errors { code } } }"
REQUEST_RESET = """
mutation R($email: String!) { requestPasswordReset(email: $email) { ok errors { code } } }
"""
RESET = """
mutation P($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) { ok errors { code field } }
}
"""
LOGIN = """
mutation L($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}, transport: BODY) {
    accessToken errors { code }
  }
}
"""
ME = "{ me { email emailVerified } }"


def test_verification_and_reset_links_travel_over_real_smtp(
    transactional_db, gql, smtp_sink: SmtpSink, run_worker
):
    # given: a registration, which only queues the email
    assert gql(REGISTER, {"email": "ada@example.com", "password": "first-passphrase-1"}).data == {
        "register": {"ok": True, "errors": []}
    }
    assert smtp_sink.inbox == []
    assert DBTaskResult.objects.ready().count() == 1

    # when: the worker runs
    run_worker()

    # then: the message arrived, From DEFAULT_FROM_EMAIL, text and HTML parts
    (message,) = smtp_sink.inbox
    assert message["To"] == "ada@example.com"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == "Confirm your email address"
    assert message.get_body(preferencelist=("html",)) is not None
    verify_token = token_in(message, "verify-email")

    # and the link from the inbox verifies the address
    assert gql(VERIFY, {"token": verify_token}).data == {"verifyEmail": {"ok": True, "errors": []}}
    assert User.objects.get().email_verified is True

    # when: a reset is requested and delivered
    assert gql(REQUEST_RESET, {"email": "ada@example.com"}).data == {
        "requestPasswordReset": {"ok": True, "errors": []}
    }
    run_worker()
    reset_message = smtp_sink.inbox[-1]
    assert reset_message["Subject"] == "Reset your password"
    reset_token = token_in(reset_message, "reset-password")

    # then: the reset link sets the new password, and only the new one signs in
    result = gql(RESET, {"token": reset_token, "password": "second-passphrase-2"})
    assert result.data == {"resetPassword": {"ok": True, "errors": []}}
    assert gql(LOGIN, {"email": "ada@example.com", "password": "first-passphrase-1"}).data["login"][
        "errors"
    ] == [{"code": "INVALID_CREDENTIALS"}]
    signed_in = gql(LOGIN, {"email": "ada@example.com", "password": "second-passphrase-2"})
    assert signed_in.data["login"]["errors"] == []

    # and the "password changed" notice followed
    run_worker()
    assert smtp_sink.inbox[-1]["Subject"] == "Your password was changed"
    assert [task.status for task in DBTaskResult.objects.all()] == [TaskResultStatus.SUCCESSFUL] * 3


def test_mail_queued_while_the_provider_is_down_is_delivered_when_it_is_back(
    transactional_db, gql, smtp_sink: SmtpSink, run_worker
):
    # given: the SMTP server is down
    smtp_sink.stop()
    User.objects.create_user("ada@example.com", "a-long-passphrase-1", email_verified=True)

    # when: a reset is requested, the request still answers normally
    result = gql(REQUEST_RESET, {"email": "ada@example.com"})
    assert result.data == {"requestPasswordReset": {"ok": True, "errors": []}}

    # and the worker's attempt fails and schedules a retry with backoff
    run_worker()
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value == "retry scheduled: attempt 2"
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after >= timezone.now() + timedelta(seconds=25)
    run_worker()  # too early: the retry waits for its time
    assert DBTaskResult.objects.get(pk=retry.pk).status == TaskResultStatus.READY

    # when: the provider is back and the retry is due
    smtp_sink.start()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()

    # then: the mail is delivered, with a working link
    (message,) = smtp_sink.inbox
    assert message["Subject"] == "Reset your password"
    assert DBTaskResult.objects.get(pk=retry.pk).status == TaskResultStatus.SUCCESSFUL
    token = token_in(message, "reset-password")
    result = gql(RESET, {"token": token, "password": "brand-new-passphrase-3"})
    assert result.data == {"resetPassword": {"ok": True, "errors": []}}


@override_settings(EMAIL_DELIVERY_MAX_ATTEMPTS=2)
def test_after_the_last_attempt_the_task_stays_failed_in_the_database(
    transactional_db, smtp_sink: SmtpSink, run_worker
):
    smtp_sink.stop()
    User.objects.create_user("ada@example.com", "a-long-passphrase-1")
    password_reset_request(email="ada@example.com")

    run_worker()
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_worker()

    statuses = list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True))
    assert statuses == [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert failed.exception_class_path == "accounts.tasks.EmailDeliveryFailed"


def test_the_email_is_queued_in_the_same_transaction_as_the_change(transactional_db):
    seen_inside: list[int] = []

    @transaction.atomic
    def register_then_crash() -> None:
        user_register(email="ada@example.com", password="a-long-passphrase-1")
        seen_inside.append(DBTaskResult.objects.count())
        raise RuntimeError("crash after the registration, before commit")

    with override_settings(TASKS=DATABASE_TASKS):
        # when: the change rolls back, so does its email
        with pytest.raises(RuntimeError):
            register_then_crash()
        assert seen_inside == [1]
        assert DBTaskResult.objects.count() == 0
        assert User.objects.count() == 0

        # and when it commits, the email is there with it
        user = user_register(email="ada@example.com", password="a-long-passphrase-1").user
        (row,) = DBTaskResult.objects.all()
        assert row.args_kwargs["kwargs"] == {
            "kind": "verify_email",
            "user_id": str(user.pk),
            "state": "ada@example.com",
        }


def test_no_token_is_stored_in_the_task_row(transactional_db, smtp_sink: SmtpSink, run_worker):
    user = User.objects.create_user("ada@example.com", "a-long-passphrase-1")
    password_reset_request(email="ada@example.com")
    run_worker()
    token = token_in(smtp_sink.inbox[0], "reset-password")
    (row,) = DBTaskResult.objects.all()
    assert row.args_kwargs == {
        "args": [],
        "kwargs": {"kind": "password_reset", "address": "ada@example.com"},
    }
    assert row.return_value == "sent"
    assert token not in str(row.traceback)
    assert User.objects.get(pk=user.pk).password_reset_counter == 1


def test_a_task_left_running_by_a_crashed_worker_is_sent_by_the_next_one(
    transactional_db, smtp_sink: SmtpSink, run_worker
):
    # given: a worker claimed the task and died (the row stays RUNNING)
    User.objects.create_user("ada@example.com", "a-long-passphrase-1")
    password_reset_request(email="ada@example.com")
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - settings.TASK_STALE_AFTER - timedelta(seconds=1),
    )

    # when: a worker starts
    run_worker()

    # then: it requeued and delivered the email
    assert len(smtp_sink.inbox) == 1
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_a_task_still_within_its_running_time_is_left_alone(
    transactional_db, smtp_sink: SmtpSink, run_worker
):
    User.objects.create_user("ada@example.com", "a-long-passphrase-1")
    password_reset_request(email="ada@example.com")
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())

    run_worker()

    assert smtp_sink.inbox == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING


def test_retry_delay_doubles_up_to_the_ceiling():
    base = settings.EMAIL_RETRY_BASE_DELAY.total_seconds()
    ceiling = settings.EMAIL_RETRY_MAX_DELAY.total_seconds()
    for attempt, expected in ((1, base), (2, 2 * base), (3, 4 * base), (30, ceiling)):
        delay = retry_delay(attempt).total_seconds()
        assert expected <= delay <= expected * 1.1


def test_of_two_queued_reset_emails_only_the_newest_link_works(
    transactional_db, gql, smtp_sink: SmtpSink, run_worker
):
    # given: two reset requests queued before the worker ran (cooldown over in between)
    User.objects.create_user("ada@example.com", "a-long-passphrase-1")
    password_reset_request(email="ada@example.com")
    ratelimit.reset("password_reset", "ada@example.com")
    password_reset_request(email="ada@example.com")

    # when
    run_worker()

    # then
    older, newer = (token_in(message, "reset-password") for message in smtp_sink.inbox)
    assert "expires in 1 hour" in text_part(smtp_sink.inbox[0])
    refused = gql(RESET, {"token": older, "password": "brand-new-passphrase-2"})
    assert refused.data["resetPassword"]["errors"] == [{"code": "INVALID_TOKEN", "field": "token"}]
    accepted = gql(RESET, {"token": newer, "password": "brand-new-passphrase-2"})
    assert accepted.data == {"resetPassword": {"ok": True, "errors": []}}


def test_a_retry_superseded_by_a_newer_request_is_dropped(
    transactional_db, smtp_sink: SmtpSink, run_worker
):
    # given: the first reset email failed and waits for its retry
    smtp_sink.stop()
    User.objects.create_user("ada@example.com", "a-long-passphrase-1")
    password_reset_request(email="ada@example.com")
    run_worker()
    smtp_sink.start()

    # when: a newer request is sent before the retry is due, then the retry comes due
    ratelimit.reset("password_reset", "ada@example.com")
    password_reset_request(email="ada@example.com")
    run_worker()
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_worker()

    # then: one email, the newest; the stale retry was skipped
    assert len(smtp_sink.inbox) == 1
    returns = sorted(str(row.return_value) for row in DBTaskResult.objects.all())
    assert returns == [
        "retry scheduled: attempt 2",
        "sent",
        "skipped: superseded by a newer reset request",
    ]


class _PostmarkStandIn(BaseHTTPRequestHandler):
    """Speaks the part of Postmark's HTTP API that anymail uses to send one message."""

    received: list[tuple[dict[str, str], dict[str, Any]]] = []
    failing = False

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/email" or type(self).failing:
            self._reply(500, {"ErrorCode": 100, "Message": "Maintenance"})
            return
        type(self).received.append((dict(self.headers), body))
        self._reply(
            200,
            {
                "To": body["To"],
                "SubmittedAt": "2026-11-22T13:00:00Z",
                "MessageID": "b7bc2f4a-e38e-4336-af7d-e6c392c2f817",
                "ErrorCode": 0,
                "Message": "OK",
            },
        )

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def postmark() -> Iterator[type[_PostmarkStandIn]]:
    """EMAIL_URL=anymail://postmark, its API served by a stand-in on 127.0.0.1."""
    handler = type("Handler", (_PostmarkStandIn,), {"received": [], "failing": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    environ = {
        "ANYMAIL_POSTMARK_SERVER_TOKEN": "server-token-for-tests",
        "ANYMAIL_POSTMARK_API_URL": f"http://127.0.0.1:{server.server_port}/",
    }
    configured = email_settings("anymail://postmark", environ)
    with override_settings(**configured, TASKS=DATABASE_TASKS):
        yield handler
    server.shutdown()
    server.server_close()


def test_production_sends_through_anymail_and_retries_when_the_provider_fails(
    transactional_db, postmark, run_worker
):
    # given: the provider answers 500
    User.objects.create_user("ada@example.com", "a-long-passphrase-1")
    postmark.failing = True
    password_reset_request(email="ada@example.com")
    run_worker()
    assert postmark.received == []
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)

    # when: it recovers and the retry is due
    postmark.failing = False
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()

    # then: one message went through Postmark's API, authenticated with the configured key
    ((headers, body),) = postmark.received
    assert headers["X-Postmark-Server-Token"] == "server-token-for-tests"
    assert body["From"] == settings.DEFAULT_FROM_EMAIL
    assert body["To"] == "ada@example.com"
    assert body["Subject"] == "Reset your password"
    assert f"{settings.FRONTEND_URL}/reset-password?token=" in body["TextBody"]
    assert f"{settings.FRONTEND_URL}/reset-password?token=" in body["HtmlBody"]

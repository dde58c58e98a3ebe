"""Fixtures for the email tests: a real SMTP sink, the database task backend, the worker."""

from __future__ import annotations

import email
import email.policy
import re
import signal
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from api.testing import free_port
from config.email_url import email_settings

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class _Collect:
    def __init__(self, inbox: list[EmailMessage]) -> None:
        self.inbox = inbox
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.inbox.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives; can go down."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox: list[EmailMessage] = []
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Collect(self.inbox), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A running sink; the server's EMAIL_URL points at it and tasks go through the DB."""
    sink = SmtpSink()
    sink.start()
    mailers = email_settings(sink.url, {})["MAILERS"]
    with override_settings(MAILERS=mailers, TASKS=DATABASE_TASKS):
        yield sink
    sink.stop()


@pytest.fixture
def run_worker() -> Iterator[Any]:
    """Run `manage.py worker --batch` (every task that is due, then exit)."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}

    def run() -> None:
        call_command(
            "worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )

    yield run
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def text_part(message: Any) -> str:
    """The plain-text body of a received message or of a Django EmailMessage."""
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())
    return str(message.body)


def link_in(message: Any, path: str) -> str:
    """The one `{FRONTEND_URL}/{path}?token=…` link in the message's text part."""
    links = re.findall(rf"{re.escape(settings.FRONTEND_URL)}/{path}\?\S+", text_part(message))
    assert len(set(links)) == 1, links
    return str(links[0])


def token_in(message: Any, path: str) -> str:
    return parse_qs(urlsplit(link_in(message, path)).query)["token"][0]

"""core.deferred: at once outside a request; during one, after the response (Django's
request_started and request_finished); a failing task is logged and stops nothing."""

from __future__ import annotations

import contextvars
import functools
import logging

import pytest
from django.core.signals import request_finished, request_started

from core import deferred

_seen: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="")


@pytest.fixture(autouse=True)
def _outside_a_request() -> None:
    # An earlier test's request may have started without finishing (a streamed body left
    # open): end it, as the next request would.
    request_finished.send(sender=None)


def test_without_a_queue_a_task_runs_at_once():
    ran: list[str] = []
    deferred.defer(lambda: ran.append("now"))
    assert ran == ["now"]


def test_with_a_queue_tasks_wait_and_then_run_in_order():
    ran: list[int] = []
    request_started.send(sender=None)
    deferred.defer(lambda: ran.append(1))
    deferred.defer(lambda: ran.append(2))
    assert ran == []
    request_finished.send(sender=None)
    assert ran == [1, 2]
    # After the request, new tasks run at once again.
    deferred.defer(lambda: ran.append(3))
    assert ran == [1, 2, 3]


def test_a_task_runs_in_the_context_it_was_deferred_in():
    request_started.send(sender=None)
    value = _seen.set("request 1")
    found: list[str] = []
    deferred.defer(lambda: found.append(_seen.get()))
    _seen.reset(value)
    request_finished.send(sender=None)
    assert found == ["request 1"]


def failing(secret: str) -> None:
    raise ValueError(f"holds {secret}")


def test_a_failing_task_is_logged_without_what_it_carried_and_stops_nothing(caplog):
    ran: list[str] = []
    request_started.send(sender=None)
    deferred.defer(functools.partial(failing, "hunter2-secret"))
    deferred.defer(lambda: ran.append("after"))
    with caplog.at_level(logging.ERROR, logger="core.deferred"):
        request_finished.send(sender=None)
        deferred.defer(functools.partial(failing, "hunter2-secret"))  # at once: no raise either
    assert ran == ["after"]
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["deferred task failing failed: ValueError"] * 2
    assert "hunter2" not in caplog.text

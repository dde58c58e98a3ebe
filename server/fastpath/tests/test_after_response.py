"""fastpath.after_response: what a request defers runs once the server closes the body,
after the client has the whole answer; a request that defers nothing keeps Django's own
body."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse

import tokens.services.signin
from core import deferred
from core.events import SecurityEventKind
from fastpath.after_response import AfterResponse
from securitylog.models import SecurityEvent
from tokens.tests.helpers import LOGIN

pytestmark = pytest.mark.django_db(transaction=True)


def environ(body: dict[str, Any]) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/graphql/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "203.0.113.7",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": "https",
        "wsgi.errors": io.StringIO(),
    }


def call(app: Callable[..., Iterable[bytes]], env: dict[str, Any]) -> tuple[Any, bytes]:
    statuses: list[str] = []
    body = app(env, lambda status, headers, exc_info=None: statuses.append(status))
    data = b"".join(body)
    assert statuses and statuses[0].startswith("200"), (statuses, data[:300])
    return body, data


def test_a_sign_ins_log_row_and_rate_limit_reset_wait_for_the_body_to_close(
    user, password, monkeypatch
):
    forgotten: list[str] = []
    plain_forget = tokens.services.signin.login_attempts_forget

    def forget(*, email: str) -> None:
        forgotten.append(email)
        plain_forget(email=email)

    monkeypatch.setattr(tokens.services.signin, "login_attempts_forget", forget)
    app = AfterResponse(WSGIHandler())
    variables = {"email": user.email, "password": password, "transport": "BODY"}

    body, data = call(app, environ({"query": LOGIN, "variables": variables}))

    # The client has the whole answer; the bookkeeping has not run yet.
    assert json.loads(data)["data"]["login"]["accessToken"]
    assert not SecurityEvent.objects.filter(user_id=user.pk).exists()
    assert forgotten == []

    body.close()  # what the WSGI server does once the response is written

    kinds = set(SecurityEvent.objects.filter(user_id=user.pk).values_list("kind", flat=True))
    assert str(SecurityEventKind.SIGN_IN) in kinds
    assert forgotten == [user.email]


def test_without_the_wrapper_the_same_work_happens_in_the_request(user, password):
    variables = {"email": user.email, "password": password, "transport": "BODY"}
    body, _ = call(WSGIHandler(), environ({"query": LOGIN, "variables": variables}))
    assert SecurityEvent.objects.filter(user_id=user.pk, kind=SecurityEventKind.SIGN_IN).exists()
    body.close()


def test_a_request_that_defers_nothing_keeps_djangos_body():
    app = AfterResponse(WSGIHandler())
    body, data = call(app, environ({"query": "{ __typename }"}))
    assert isinstance(body, HttpResponse)
    assert json.loads(data) == {"data": {"__typename": "Query"}}
    body.close()


def test_when_the_application_raises_what_it_deferred_still_runs():
    ran: list[str] = []

    def app(env: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        deferred.defer(lambda: ran.append("bookkeeping"))
        raise RuntimeError("the application failed")

    with pytest.raises(RuntimeError):
        AfterResponse(app)({}, lambda *a: None)
    assert ran == ["bookkeeping"]
    # And the queue is gone: later work runs at once.
    deferred.defer(lambda: ran.append("later"))
    assert ran == ["bookkeeping", "later"]


def test_a_failing_task_does_not_stop_the_body_closing_or_the_others():
    closed: list[str] = []

    class Body(list[bytes]):
        def close(self) -> None:
            closed.append("body")

    def app(env: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        deferred.defer(lambda: 1 / 0)
        deferred.defer(lambda: closed.append("second task"))
        start_response("200 OK", [])
        return Body([b"ok"])

    body, data = call(AfterResponse(app), {})
    assert data == b"ok" and closed == []
    body.close()
    assert closed == ["body", "second task"]

"""FAST_PATH_ENABLED changes the wiring, and only the wiring: both ways answer the same.

bin/test runs the transport, token, content and config tests once with the switch on (the
default) and once more with FAST_PATH_ENABLED=false; this file runs in both passes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

import fastpath
import fastpath.revocation
import tokens.revocation
from accounts.models import User
from config.tests.stacks import stack
from config.views import FastGraphQLView, GatehouseGraphQLView
from membership.tests.fixtures import make_article, make_plan
from tokens.tests.helpers import LOGIN, ME, REFRESH
from tokens.verifier import get_access_token_verifier

ROOT = Path(__file__).resolve().parents[3]

# What config wires in, read by a fresh interpreter for each value of the switch.
WIRING = """
import json, django
django.setup()
from django.conf import settings
from django.urls import resolve
from config.schema import schema
view = resolve("/graphql/").func.view_class
print(json.dumps({
    "middleware": settings.MIDDLEWARE,
    "verifier": settings.ACCESS_TOKEN_VERIFIER,
    "rotation": settings.REFRESH_ROTATION_SHORTCUT,
    "session_insert": settings.SESSION_INSERT_SHORTCUT,
    "sign_in_lookup": settings.SIGN_IN_LOOKUP_SHORTCUT,
    "wsgi": (lambda a: f"{type(a).__module__}.{type(a).__qualname__}")(
        __import__("config.wsgi", fromlist=["application"]).application
    ),
    "view": f"{view.__module__}.{view.__qualname__}",
    "authenticate": view.authenticate.__qualname__,
    "schema_fast": schema.fast,
    "pool_check": (lambda c: c and f"{c.__module__}.{c.__qualname__}")(
        settings.DATABASES["default"].get("OPTIONS", {}).get("pool", {}).get("check")
    ),
}))
"""


def wirings(*switches: str) -> list[dict[str, Any]]:
    """The wiring for each value of FAST_PATH_ENABLED, read by interpreters run at once."""
    path = os.pathsep.join([str(ROOT / "server"), str(ROOT)])
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", WIRING],
            cwd=ROOT,
            env={
                **os.environ,
                "FAST_PATH_ENABLED": switch,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "PYTHONPATH": path,
                # PostgreSQL, so that the pool's check is part of the wiring.
                "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for switch in switches
    ]
    found = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        found.append(json.loads(out.strip().splitlines()[-1]))
    return found


def test_the_switch_changes_the_wiring():
    on, off = wirings("true", "false")

    assert "fastpath.transport.GraphQLFastLane" in on["middleware"]
    assert on["verifier"] == "fastpath.revocation.verify_access_token"
    assert on["rotation"] == "fastpath.rotation.rotate_if_current"
    assert on["session_insert"] == "fastpath.signin.insert_session"
    assert on["sign_in_lookup"] == "fastpath.signin.user_by_email"
    assert on["wsgi"] == "fastpath.after_response.AfterResponse"
    assert on["view"] == "config.views.FastGraphQLView"
    assert on["authenticate"] == "FastGraphQLView.authenticate"  # fastpath.viewer's
    assert on["schema_fast"] is True
    assert on["pool_check"] == "fastpath.pool.check_connection"

    # Off: nothing of fastpath on the request path.
    assert not [entry for entry in off["middleware"] if entry.startswith("fastpath")]
    assert off["verifier"] == "tokens.revocation.verify_access_token"
    assert off["rotation"] is None
    assert off["session_insert"] is None
    assert off["sign_in_lookup"] is None
    assert off["wsgi"] == "django.core.handlers.wsgi.WSGIHandler"
    assert off["view"] == "config.views.GatehouseGraphQLView"
    assert off["authenticate"] == "GatehouseGraphQLView.authenticate"  # tokens.viewer's
    assert off["schema_fast"] is False
    assert off["pool_check"] is None  # Django's default: ConnectionPool.check_connection
    # The rest of the stack is the same either way.
    assert [m for m in on["middleware"] if not m.startswith("fastpath")] == off["middleware"]


def test_this_process_is_wired_as_the_switch_says():
    from config.urls import graphql_view

    view = graphql_view.view_class
    if fastpath.enabled():
        assert view is FastGraphQLView
        assert "fastpath.transport.GraphQLFastLane" in settings.MIDDLEWARE
        assert get_access_token_verifier() is fastpath.revocation.verify_access_token
        assert settings.REFRESH_ROTATION_SHORTCUT == "fastpath.rotation.rotate_if_current"
        assert settings.SESSION_INSERT_SHORTCUT == "fastpath.signin.insert_session"
        assert settings.SIGN_IN_LOOKUP_SHORTCUT == "fastpath.signin.user_by_email"
    else:
        assert view is GatehouseGraphQLView
        assert not [m for m in settings.MIDDLEWARE if m.startswith("fastpath")]
        assert get_access_token_verifier() is tokens.revocation.verify_access_token
        assert settings.REFRESH_ROTATION_SHORTCUT is None
        assert settings.SESSION_INSERT_SHORTCUT is None
        assert settings.SIGN_IN_LOOKUP_SHORTCUT is None


# --- the same answers both ways ----------------------------------------------------------

ARTICLES = """
query Articles($first: Int) {
  articles(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id slug title premium locked body } }
  }
}
"""
ME_FULL = "{ me { id email emailVerified registerMethod dateJoined profile { displayName } } }"
SHOWN_HEADERS = ("Content-Type", "Cache-Control", "X-Frame-Options", "Retry-After")


def answer(client: Client, body: Any, token: str | None = None, **headers: str) -> dict[str, Any]:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.post("/graphql/", data=raw, content_type="application/json", headers=headers)
    return {
        "status": response.status_code,
        "headers": {name: response.get(name) for name in SHOWN_HEADERS},
        "body": json.loads(response.content),
    }


def masked(result: dict[str, Any]) -> dict[str, Any]:
    """A refresh answer without the token values, which differ by design on every call."""
    payload = result["body"]["data"]["refresh"]
    assert payload["accessToken"] and payload["refreshToken"], payload
    return {**result, "body": {"refresh": {**payload, "accessToken": "…", "refreshToken": "…"}}}


@pytest.fixture
def catalogue(db: None) -> None:
    make_plan("basic", tier=1)
    make_article("free-article", tier=0, days_ago=2)
    make_article("premium-article", tier=1, days_ago=1)


def signed_in(client: Client, password: str) -> dict[str, str]:
    variables = {"email": "ada@example.com", "password": password, "transport": "BODY"}
    result = answer(client, {"query": LOGIN, "variables": variables})
    return result["body"]["data"]["login"]


def conversation(name: str, password: str) -> list[Any]:
    """A representative client's requests, through one stack."""
    with stack(name) as client:
        tokens = signed_in(client, password)
        access = tokens["accessToken"]
        return [
            answer(client, {"query": ME}, access),
            answer(client, {"query": ME}, access),  # warm, where a cache can answer
            answer(client, {"query": ME_FULL}, access),
            answer(client, {"query": ARTICLES, "variables": {"first": 10}}),
            answer(client, {"query": ARTICLES, "variables": {"first": 1}}, access),
            answer(client, {"query": "{ __typename }"}, "not-a-token"),
            answer(client, {"query": ME}, "not-a-token"),
            masked(
                answer(
                    client,
                    {
                        "query": REFRESH,
                        "variables": {"token": tokens["refreshToken"], "transport": "BODY"},
                    },
                )
            ),
            answer(client, b'{"query": '),
            answer(client, b"[]"),
            answer(client, {"query": "{ me { id } } query Two { __typename }"}),
            answer(client, {"query": ME}, None, Host="evil.example"),
        ]


def test_plain_and_fast_answer_alike(user: User, password: str, catalogue: None, monkeypatch):
    # Which fast-path pieces each stack runs through.
    used: list[str] = []
    for target in (
        "fastpath.transport.run_plain_post",
        "fastpath.viewer.authenticate",
        "fastpath.rotation.rotate_if_current",
        "fastpath.signin.insert_session",
    ):
        module, name = target.rsplit(".", 1)
        original = getattr(__import__(module, fromlist=[name]), name)

        def spy(*args: Any, _original: Any = original, _name: str = target, **kwargs: Any) -> Any:
            used.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(target, spy)
    plain = conversation("plain", password)
    plain_used, used[:] = set(used), []
    fast = conversation("fast", password)
    assert plain_used == set()
    assert set(used) == {
        "fastpath.transport.run_plain_post",
        "fastpath.viewer.authenticate",
        "fastpath.rotation.rotate_if_current",
        "fastpath.signin.insert_session",
    }
    assert plain == fast
    # and they are real answers, not two equal failures
    assert plain[0]["body"] == {"data": {"me": {"id": str(user.pk), "email": user.email}}}
    assert plain[3]["body"]["data"]["articles"]["totalCount"] == 2
    assert plain[6]["body"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert plain[-1]["status"] == 400

"""Redis down: what needs it answers 503 with a retry hint, logout still holds, and
everything recovers when Redis returns, without restarting the app."""

from __future__ import annotations

import json
import os
import signal

import pytest
from django.test import override_settings

from accounts.models import User
from api.testing import GraphQLClient, GraphQLResult, free_port, wait_until_serving
from membership.tests.fixtures import make_plan
from tokens import revocation
from tokens.models import Session
from tokens.tests.helpers import LOGOUT, ME, data, login
from tokens.tests.redis_server import own_redis
from tokens.tests.test_two_processes import KEYS, post, start_server

pytestmark = pytest.mark.django_db

PLANS = "{ plans { slug } }"


@pytest.fixture
def redis_server(tmp_path):
    with own_redis(tmp_path) as server:
        yield server


def assert_unavailable(result) -> None:
    assert result.status == 503, result.body
    assert result.response["Content-Type"] == "application/json"
    assert int(result.response["Retry-After"]) >= 1
    assert result.data is None
    [error] = result.errors
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["extensions"]["retryAfter"] == int(result.response["Retry-After"])
    assert error["message"]


def test_redis_outage_and_recovery(gql, user, password, redis_server):
    # given: a signed-in user, and the revocation set built in Redis
    make_plan("basic")
    signed_in = data(login(gql, "ada@example.com", password))["login"]
    access, refresh_token = signed_in["accessToken"], signed_in["refreshToken"]
    assert data(gql(ME, token=access))["me"]["email"] == "ada@example.com"

    # when: Redis dies
    redis_server.kill()

    # then: what needs Redis answers 503 with a retry hint, not an HTML 500 or a masked error
    assert_unavailable(gql(ME, token=access))
    via_get = gql.client.get(
        "/graphql/", {"query": ME}, headers={"Authorization": f"Bearer {access}"}
    )
    assert_unavailable(GraphQLResult(via_get.status_code, json.loads(via_get.content), via_get))
    assert_unavailable(login(gql, "ada@example.com", password))
    # and anonymous reads keep working
    plans = gql(PLANS)
    assert plans.status == 200
    assert data(plans) == {"plans": [{"slug": "basic"}]}
    # and logout commits in PostgreSQL: it is not undone by Redis being down
    logout = gql(LOGOUT, {"token": refresh_token})
    assert data(logout)["logout"] == {"ok": True, "errors": []}
    assert Session.objects.get(user=user).revoked_at is not None

    # when: Redis comes back with its data (the append-only file), nothing restarted here
    redis_server.start()

    # then: the logged-out access token is refused, although Redis never heard of the logout
    assert gql(ME, token=access).error_codes == ["UNAUTHENTICATED"]
    # and everything else works again
    again = data(login(gql, "ada@example.com", password))["login"]
    assert again["errors"] == []
    assert data(gql(ME, token=again["accessToken"]))["me"]["email"] == "ada@example.com"


def test_a_process_that_never_saw_the_outage_rebuilds_before_trusting_redis(
    gql, user, password, redis_server
):
    # given: a token checked once (the revocation set is in Redis and on disk)
    signed_in = data(login(gql, "ada@example.com", password))["login"]
    assert data(gql(ME, token=signed_in["accessToken"]))["me"] is not None

    # when: the logout happens while Redis is down
    redis_server.kill()
    assert data(gql(LOGOUT, {"token": signed_in["refreshToken"]}))["logout"]["ok"] is True
    redis_server.start()
    # and a process that knows nothing of it (a fresh worker) takes the next request
    revocation._sync = revocation._SyncState()
    revocation._connections = revocation._Connections()

    # then: it does not trust Redis's copy, which lacks the logout
    assert gql(ME, token=signed_in["accessToken"]).error_codes == ["UNAUTHENTICATED"]


def test_register_needs_redis_and_refresh_does_not(gql, user, password, redis_server):
    signed_in = data(login(gql, "ada@example.com", password))["login"]
    redis_server.kill()

    register = gql(
        'mutation { register(input: {email: "new@example.com", password: "a-long-password-1"})'
        " { errors { code } } }"
    )
    assert_unavailable(register)
    refreshed = gql(
        "mutation R($t: String) { refresh(refreshToken: $t, transport: BODY) { accessToken } }",
        {"t": signed_in["refreshToken"]},
    )
    # refresh is checked against PostgreSQL alone, so it keeps working; the new access
    # token is then refused with 503 like any other until Redis is back
    assert refreshed.status == 200
    assert data(refreshed)["refresh"]["accessToken"]
    assert_unavailable(gql(ME, token=data(refreshed)["refresh"]["accessToken"]))


RESET = """
mutation P($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) { ok errors { code } }
}
"""
REQUEST_RESET = """
mutation R($email: String!) { requestPasswordReset(email: $email) { ok errors { code } } }
"""


def test_a_password_reset_during_the_outage_ends_every_session(gql, user, password, redis_server):
    from accounts.email_tokens import reset_token_make

    signed_in = data(login(gql, "ada@example.com", password))["login"]
    assert data(gql(ME, token=signed_in["accessToken"]))["me"] is not None
    user.refresh_from_db()  # the sign-in set last_login, which the token covers
    token = reset_token_make(user=user)
    redis_server.kill()

    # a rate-limited request cannot be checked: 503, nothing queued
    assert_unavailable(gql(REQUEST_RESET, {"email": "ada@example.com"}))
    # the reset itself needs no Redis: it commits, and its revocation is kept
    reset = gql(RESET, {"token": token, "password": "a-brand-new-passphrase-2"})
    assert data(reset)["resetPassword"] == {"ok": True, "errors": []}

    redis_server.start()
    assert gql(ME, token=signed_in["accessToken"]).error_codes == ["UNAUTHENTICATED"]
    fresh = data(login(gql, "ada@example.com", "a-brand-new-passphrase-2"))["login"]
    assert data(gql(ME, token=fresh["accessToken"]))["me"]["email"] == "ada@example.com"


@pytest.mark.django_db(transaction=True)
def test_another_server_process_refuses_a_token_logged_out_during_the_outage(password, tmp_path):
    """A real second server process, which served the token before the outage and saw
    nothing of the logout, made by this process while Redis was down."""
    User.objects.create_user("ada@example.com", password, email_verified=True)
    gql = GraphQLClient()
    with own_redis(tmp_path) as redis_server, override_settings(JWT_PRIVATE_KEYS=KEYS):
        port = free_port()
        log = (tmp_path / "server.log").open("w+")
        # start_server hands this process's settings on: our own Redis, the same keys
        process = start_server(port, log)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, process, log, timeout=60)
            signed_in = data(login(gql, "ada@example.com", password))["login"]
            access = signed_in["accessToken"]
            assert post(base, ME, token=access)["data"]["me"]["email"] == "ada@example.com"

            redis_server.kill()
            logout = gql(LOGOUT, {"token": signed_in["refreshToken"]})
            assert data(logout)["logout"]["ok"] is True
            redis_server.start()

            refused = post(base, ME, token=access)
            assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)

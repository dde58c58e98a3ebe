"""Ending sessions takes effect on the very next request; Redis can be lost safely."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from api.context import Caller
from api.testing import free_port
from tokens import revocation
from tokens.models import AuthMethod, Session
from tokens.services import IssuedTokens, session_start, sessions_end_all
from tokens.tests.helpers import (
    LOGOUT,
    LOGOUT_ALL,
    ME,
    REVOKE,
    SESSIONS,
    codes,
    data,
    refresh,
)

pytestmark = pytest.mark.django_db


def start(user: User, agent: str = "t") -> IssuedTokens:
    return session_start(
        user=user,
        auth_method=AuthMethod.PASSWORD,
        caller=Caller(ip_address="10.0.0.1", user_agent=agent),
    )


def works(gql, access: str) -> bool:
    result = gql(ME, token=access)
    if result.error_codes == ["UNAUTHENTICATED"]:
        return False
    assert data(result)["me"] is not None
    return True


def test_logout_ends_the_session_at_once(gql, user):
    # given
    issued, other = start(user), start(user)
    assert works(gql, issued.access_token)

    # when
    payload = data(gql(LOGOUT, {"token": issued.refresh_token}))["logout"]

    # then
    assert payload == {"ok": True, "errors": []}
    assert not works(gql, issued.access_token)
    assert codes(data(refresh(gql, issued.refresh_token))["refresh"]) == ["SESSION_REVOKED"]
    assert works(gql, other.access_token)


def test_logout_works_with_an_expired_or_bad_access_token(gql, user):
    issued = start(user)
    result = gql(LOGOUT, {"token": issued.refresh_token}, token="expired.bad.token")
    assert data(result)["logout"]["ok"] is True
    assert not works(gql, issued.access_token)


def test_logout_all_ends_every_session(gql, user):
    first, second = start(user), start(user)
    payload = data(gql(LOGOUT_ALL, {"keep": False}, token=first.access_token))["logoutAll"]
    assert payload["ok"] is True
    assert not works(gql, first.access_token)
    assert not works(gql, second.access_token)
    assert codes(data(refresh(gql, second.refresh_token))["refresh"]) == ["SESSION_REVOKED"]
    # a new sign-in right afterwards is not affected, even within the same second
    fresh = start(user)
    assert works(gql, fresh.access_token)


def test_logout_all_can_keep_the_current_session(gql, user):
    current, other = start(user), start(user)
    gql(LOGOUT_ALL, {"keep": True}, token=current.access_token)
    assert works(gql, current.access_token)
    assert not works(gql, other.access_token)
    renewed = data(refresh(gql, current.refresh_token))["refresh"]
    assert renewed["errors"] == []
    assert codes(data(refresh(gql, other.refresh_token))["refresh"]) == ["SESSION_REVOKED"]
    ids = [s["id"] for s in data(gql(SESSIONS, token=renewed["accessToken"]))["sessions"]]
    assert ids == [str(current.session.pk)]


def test_logout_all_costs_the_same_queries_for_1_and_1000_sessions(user, password):
    many = User.objects.create_user("many@example.com", password, email_verified=True)
    Session.objects.bulk_create(
        Session(user=many, auth_method=AuthMethod.PASSWORD, token_hash=f"{n:064x}")
        for n in range(1000)
    )
    start(user)
    counts = []
    for who in (user, many):
        with CaptureQueriesContext(connection) as queries:
            sessions_end_all(user=who)
        counts.append(len(queries))
    assert 1 <= counts[0] == counts[1] <= 3


def test_sessions_lists_only_the_viewers_live_sessions(gql, user, password):
    mine = start(user, agent="Firefox")
    start(user, agent="iPhone")
    ended = start(user, agent="old laptop")
    stranger = User.objects.create_user("eve@example.com", password, email_verified=True)
    start(stranger)
    gql(LOGOUT, {"token": ended.refresh_token})

    sessions = data(gql(SESSIONS, token=mine.access_token))["sessions"]

    assert sorted(s["userAgent"] for s in sessions) == ["Firefox", "iPhone"]
    assert [s["current"] for s in sessions if s["userAgent"] == "Firefox"] == [True]
    assert {s["authMethod"] for s in sessions} == {"PASSWORD"}
    assert {s["ipAddress"] for s in sessions} == {"10.0.0.1"}


def test_sessions_needs_a_signed_in_viewer(gql):
    assert gql(SESSIONS).error_codes == ["UNAUTHENTICATED"]


def test_revoke_session_ends_one_of_my_sessions(gql, user):
    mine, phone = start(user), start(user)
    payload = data(gql(REVOKE, {"id": str(phone.session.pk)}, token=mine.access_token))
    assert payload["revokeSession"] == {"ok": True, "errors": []}
    assert not works(gql, phone.access_token)
    assert works(gql, mine.access_token)


def test_another_users_session_answers_like_an_unknown_id(gql, user, password):
    mine = start(user)
    stranger = start(User.objects.create_user("eve@example.com", password, email_verified=True))
    theirs = data(gql(REVOKE, {"id": str(stranger.session.pk)}, token=mine.access_token))
    unknown = data(
        gql(REVOKE, {"id": "00000000-0000-0000-0000-000000000000"}, token=mine.access_token)
    )
    assert theirs == unknown
    assert codes(theirs["revokeSession"]) == ["NOT_FOUND"]
    assert works(gql, stranger.access_token)


def test_a_user_set_inactive_is_refused_at_once(gql, user):
    issued = start(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not works(gql, issued.access_token)
    assert codes(data(refresh(gql, issued.refresh_token))["refresh"]) == ["SESSION_REVOKED"]


def test_revocation_costs_one_redis_round_trip(gql, user, monkeypatch):
    issued = start(user)
    assert works(gql, issued.access_token)  # the revocation set is known complete
    client, _ = revocation._redis()
    assert client is not None
    connection_class = client.connection_pool.connection_class
    sent: list[str] = []
    original = connection_class.send_command

    def counting(self, *args, **kwargs):
        sent.append(str(args[0]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(connection_class, "send_command", counting)
    gql("{ __typename }", token=issued.access_token)
    assert sent == ["MGET"]


# --- a Redis flush ----------------------------------------------------------------------


@pytest.fixture
def private_redis(settings) -> Iterator[redis.Redis]:
    """A Redis server of this test's own, so that FLUSHALL disturbs nobody else."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed for this test"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "private redis-server did not start"
            time.sleep(0.05)
    caches = {**settings.CACHES}
    caches["default"] = {**caches["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}
    settings.CACHES = caches
    try:
        yield client
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_revoked_sessions_stay_revoked_after_flushall(gql, user, private_redis):
    # given: one session logged out, another ended by logout-all of a second user
    ended, alive = start(user), start(user)
    other = User.objects.create_user("bob@example.com", "pw-123456789x", email_verified=True)
    others = start(other)
    gql(LOGOUT, {"token": ended.refresh_token})
    sessions_end_all(user=other)
    assert not works(gql, ended.access_token)
    assert cache.client.get_client().dbsize() > 0  # type: ignore[attr-defined]

    # when
    private_redis.flushall()

    # then
    assert not works(gql, ended.access_token)
    assert not works(gql, others.access_token)
    assert works(gql, alive.access_token)
    assert codes(data(refresh(gql, ended.refresh_token))["refresh"]) == ["SESSION_REVOKED"]
    # and every entry written back expires no later than the tokens it refuses
    for key in private_redis.keys("*rev:*"):
        assert 0 < private_redis.ttl(key) <= 301


def test_logout_all_ends_sessions_by_their_start_not_by_token_age(gql, user):
    # given: a session begun before logout-all that refreshes concurrently with it
    old = start(user)
    sessions_end_all(user=user)
    # when: a token of that old session is minted after the logout-all (a refresh that
    # raced it), it is still refused: the session began before the cut
    from tokens.access import issue_access_token

    late, _ = issue_access_token(
        user_id=str(user.pk),
        session_id=str(old.session.pk),
        session_created_at=old.session.created_at,
    )
    assert not works(gql, late)
    # and a session begun after it works at once
    assert works(gql, start(user).access_token)


def test_a_dropped_redis_connection_is_reopened(gql, user, private_redis):
    # given: the request path holds its own connection to Redis
    ended, alive = start(user), start(user)
    gql(LOGOUT, {"token": ended.refresh_token})
    assert works(gql, alive.access_token)

    # when: Redis drops every client connection (a restart or a failover looks the same)
    killed = private_redis.client_kill_filter(_type="normal", skipme=True)
    assert killed >= 1

    # then: the next requests reconnect and still answer correctly
    assert works(gql, alive.access_token)
    assert not works(gql, ended.access_token)

"""`manage.py revoke_sessions`: everyone's sessions end at once, on the very next request."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from api.context import Caller
from tokens.models import AuthMethod, Session
from tokens.services import IssuedTokens, session_start, sessions_delete_stale
from tokens.tests.helpers import SESSIONS, codes, data, refresh

pytestmark = pytest.mark.django_db

ME = "{ me { id email } }"


def start(user: User) -> IssuedTokens:
    return session_start(
        user=user,
        auth_method=AuthMethod.PASSWORD,
        caller=Caller(ip_address="10.0.0.1", user_agent="t"),
    )


def works(gql, access: str) -> bool:
    result = gql(ME, token=access)
    if result.error_codes == ["UNAUTHENTICATED"]:
        return False
    assert data(result)["me"] is not None, result.body
    return True


def refresh_codes(gql, token: str) -> list[str]:
    return codes(data(refresh(gql, token))["refresh"])


@pytest.fixture
def bob(db) -> User:
    return User.objects.create_user("bob@example.com", "another-passphrase-42", email_verified=True)


def test_all_refuses_every_access_and_refresh_token_issued_before_it(gql, user, bob):
    ada_phone, ada_laptop, bob_phone = start(user), start(user), start(bob)
    for issued in (ada_phone, ada_laptop, bob_phone):
        assert works(gql, issued.access_token)

    call_command("revoke_sessions", "--all", stdout=StringIO())

    for issued in (ada_phone, ada_laptop, bob_phone):
        assert not works(gql, issued.access_token)
        assert refresh_codes(gql, issued.refresh_token) == ["SESSION_REVOKED"]
    # signing in again right afterwards works, tokens and refresh alike
    fresh = start(bob)
    assert works(gql, fresh.access_token)
    renewed = data(refresh(gql, fresh.refresh_token))["refresh"]
    assert renewed["errors"] == []
    assert works(gql, renewed["accessToken"])
    assert [
        s["current"] for s in data(gql(SESSIONS, token=renewed["accessToken"]))["sessions"]
    ] == [True]


def test_started_before_ends_only_the_sessions_begun_before_that_time(gql, user):
    old = start(user)
    cutoff = timezone.now()
    new = start(user)

    call_command(
        "revoke_sessions",
        "--started-before",
        cutoff.isoformat(),
        stdout=StringIO(),
    )

    assert not works(gql, old.access_token)
    assert refresh_codes(gql, old.refresh_token) == ["SESSION_REVOKED"]
    assert works(gql, new.access_token)
    assert data(refresh(gql, new.refresh_token))["refresh"]["errors"] == []


def test_a_parent_token_in_its_grace_window_is_refused_too(gql, user):
    issued = start(user)
    rotated = data(refresh(gql, issued.refresh_token))["refresh"]
    assert rotated["errors"] == []

    call_command("revoke_sessions", "--all", stdout=StringIO())

    # the spent parent would answer with its successor within REFRESH_REUSE_GRACE
    assert refresh_codes(gql, issued.refresh_token) == ["SESSION_REVOKED"]
    assert refresh_codes(gql, rotated["refreshToken"]) == ["SESSION_REVOKED"]
    assert not works(gql, rotated["accessToken"])


def test_the_mark_survives_the_loss_of_redis(gql, user):
    issued = start(user)
    call_command("revoke_sessions", "--all", stdout=StringIO())

    cache.delete_pattern("*")  # type: ignore[attr-defined]  # this process's keys: a flush

    assert not works(gql, issued.access_token)


def test_an_earlier_time_never_brings_sessions_back(gql, user):
    early = start(user)
    cutoff = timezone.now()
    late = start(user)
    call_command("revoke_sessions", "--all", stdout=StringIO())

    call_command(
        "revoke_sessions",
        "--started-before",
        cutoff.isoformat(),
        stdout=StringIO(),
    )
    cache.delete_pattern("*")  # type: ignore[attr-defined]

    for issued in (early, late):
        assert not works(gql, issued.access_token)
        assert refresh_codes(gql, issued.refresh_token) == ["SESSION_REVOKED"]


def test_it_costs_the_same_for_one_session_as_for_many(user):
    start(user)
    with CaptureQueriesContext(connection) as one:
        call_command("revoke_sessions", "--all", stdout=StringIO())
    for _ in range(50):
        start(user)
    with CaptureQueriesContext(connection) as many:
        call_command("revoke_sessions", "--all", stdout=StringIO())
    assert len(many) <= len(one)
    assert not any("tokens_session" in query["sql"] for query in many.captured_queries)
    assert Session.objects.filter(revoked_at__isnull=False).count() == 0  # no row touched


def test_cleanup_deletes_sessions_ended_by_the_mark_after_the_retention(user):
    old = start(user)
    call_command("revoke_sessions", "--all", stdout=StringIO())
    assert sessions_delete_stale(revoked_before=timedelta(days=7)) == 0
    later = timezone.now() + timedelta(days=8)
    assert sessions_delete_stale(revoked_before=timedelta(days=7), now=later) >= 1
    assert not Session.objects.filter(pk=old.session.pk).exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "one of the arguments --all --started-before is required"),
        (["--started-before", "yesterday"], "not an ISO 8601 time"),
        (["--started-before", "2026-01-01T00:00:00"], "give a time zone"),
        (["--started-before", "2999-01-01T00:00:00Z"], "in the future"),
        (["--all", "--started-before", "2026-01-01T00:00:00Z"], "not allowed with argument"),
    ],
)
def test_bad_arguments_are_refused_and_end_nothing(gql, user, arguments, message):
    issued = start(user)
    with pytest.raises(CommandError, match=message):
        call_command("revoke_sessions", *arguments)
    assert works(gql, issued.access_token)

"""Every state a session can be in, against every part that decides whether it is live.

One table of states (rows) and one test per consumer of the definition of a live session
(tokens/models.py): the one-statement rotation, the locked rotation, `session_refresh` as a
whole, the sessions list, the clean-up, and the access-token check (as published to Redis,
and as rebuilt from PostgreSQL after Redis lost it). test_sqlite.py runs this module again
against SQLite.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from api.context import Caller
from core.errors import DomainError
from tokens.models import AuthMethod, Session
from tokens.refresh import parse_refresh_token
from tokens.selectors import sessions_active
from tokens.services import (
    IssuedTokens,
    session_refresh,
    session_revoke,
    session_start,
    sessions_delete_stale,
    sessions_end_all,
    sessions_end_everyone,
)
from tokens.services.rotation import _refresh_locked
from tokens.services.rotation_statement import rotate_current
from tokens.tests.helpers import SESSIONS, data

pytestmark = pytest.mark.django_db

A_MINUTE = timedelta(minutes=1)
RETENTION = timedelta(days=7)  # cleanup_sessions' default: ended sessions kept a week


def start(user: User) -> IssuedTokens:
    return session_start(
        user=user,
        auth_method=AuthMethod.PASSWORD,
        caller=Caller(ip_address="10.0.0.1", user_agent="t"),
    )


def aged(issued: IssuedTokens, **fields: object) -> IssuedTokens:
    Session.objects.filter(pk=issued.session.pk).update(**fields)
    return issued


def idle_expired(user: User) -> IssuedTokens:
    last_use = timezone.now() - settings.REFRESH_TOKEN_LIFETIME - A_MINUTE
    return aged(start(user), last_used_at=last_use)


def absolute_expired(user: User) -> IssuedTokens:
    begun = timezone.now() - settings.SESSION_ABSOLUTE_LIFETIME - A_MINUTE
    return aged(start(user), created_at=begun)


def revoked(user: User) -> IssuedTokens:
    issued = start(user)
    session_revoke(user=user, session_id=str(issued.session.pk))
    return issued


def signed_out_everywhere(user: User) -> IssuedTokens:
    issued = start(user)
    sessions_end_all(user=user)
    return issued


def kept_by_sign_out_everywhere(user: User) -> IssuedTokens:
    issued = start(user)
    sessions_end_all(user=user, keep_session_id=str(issued.session.pk))
    return issued


def begun_after_sign_out_everywhere(user: User) -> IssuedTokens:
    sessions_end_all(user=user)
    return start(user)


def ended_for_everyone(user: User) -> IssuedTokens:
    issued = start(user)
    sessions_end_everyone()
    return issued


def begun_after_ended_for_everyone(user: User) -> IssuedTokens:
    sessions_end_everyone()
    return start(user)


def user_disabled(user: User) -> IssuedTokens:
    issued = start(user)
    user.is_active = False
    user.save(update_fields=["is_active"])  # as the admin does: signs the user out too
    return issued


def user_disabled_row_only(user: User) -> IssuedTokens:
    # Without the model's signals (a bulk update, SQL by hand): `is_active` alone decides.
    issued = start(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    return issued


@dataclass(frozen=True)
class State:
    make: Callable[[User], IssuedTokens]
    refresh_error: str | None  # None: the session is live and its refresh token rotates
    access_accepted: bool
    deleted_at_once: bool  # by the clean-up that keeps nothing ended
    deleted_after_retention: bool  # by the clean-up that keeps ended sessions a week

    @property
    def live(self) -> bool:
        return self.refresh_error is None


REVOKED, EXPIRED = "SESSION_REVOKED", "TOKEN_EXPIRED"

# Columns: how to get there; what a refresh answers (None: it rotates, the session is
# live); whether its access token is still accepted; whether the clean-up deletes it when
# it keeps nothing ended, and when it keeps ended sessions a week.
# An expired session's last access token is bounded by its own short lifetime: expiry is
# not a revocation, so the access check accepts it until then.
STATES: dict[str, State] = {
    "fresh": State(start, None, True, False, False),
    "idle-expired": State(idle_expired, EXPIRED, True, True, True),
    "absolute-expired": State(absolute_expired, EXPIRED, True, True, True),
    "revoked": State(revoked, REVOKED, False, True, False),
    "signed-out-everywhere": State(signed_out_everywhere, REVOKED, False, True, False),
    "kept-by-sign-out-everywhere": State(kept_by_sign_out_everywhere, None, True, False, False),
    "begun-after-sign-out-everywhere": State(
        begun_after_sign_out_everywhere, None, True, False, False
    ),
    "ended-for-everyone": State(ended_for_everyone, REVOKED, False, True, False),
    "begun-after-ended-for-everyone": State(
        begun_after_ended_for_everyone, None, True, False, False
    ),
    "user-disabled": State(user_disabled, REVOKED, False, True, False),
    # Not signed out by a mark with a date, so nothing says the record may go: it stays
    # (the account may be enabled again), and it is not live meanwhile.
    "user-disabled-row-only": State(user_disabled_row_only, REVOKED, False, False, False),
}

states = pytest.mark.parametrize("state", list(STATES.values()), ids=list(STATES))


def test_runs_on_the_database_it_is_meant_for():
    # test_sqlite.py runs this module on SQLite; on its own it runs on PostgreSQL.
    assert connection.vendor == os.environ.get("GATEHOUSE_EXPECT_VENDOR", "postgresql")


def refresh_outcome(call: Callable[[], object]) -> str | None:
    """None when the call rotated the token, else the error code it raised or returned."""
    try:
        outcome = call()
    except DomainError as error:
        return str(error.code)
    if isinstance(outcome, DomainError):
        return str(outcome.code)
    assert isinstance(outcome, IssuedTokens)
    assert outcome.refresh_token
    return None


@states
def test_locked_rotation(user, state):
    issued = state.make(user)
    parsed = parse_refresh_token(issued.refresh_token)
    assert parsed is not None

    def locked() -> object:
        with transaction.atomic():
            return _refresh_locked(parsed, caller=Caller(ip_address=None, user_agent="t"))

    assert refresh_outcome(locked) == state.refresh_error
    session = Session.objects.get(pk=issued.session.pk)
    assert session.generation == (1 if state.live else 0)


@states
def test_rotation_statement(user, state):
    # The one-statement rotation (PostgreSQL) rotates exactly the live sessions; every
    # other state is left to the locked path, untouched.
    issued = state.make(user)
    parsed = parse_refresh_token(issued.refresh_token)
    assert parsed is not None
    rotated = rotate_current(
        parsed, caller=Caller(ip_address="10.0.0.2", user_agent="u"), now=timezone.now()
    )
    session = Session.objects.get(pk=issued.session.pk)
    if connection.vendor != "postgresql":
        assert rotated is None
        return
    assert (rotated is not None) == state.live
    assert session.generation == (1 if state.live else 0)
    if rotated is not None:
        assert rotated.session.pk == session.pk and rotated.session.user_id == user.pk
        assert rotated.session.created_at == session.created_at
        assert rotated.session.user == user and rotated.session.user.email == user.email
        assert session.ip_address == "10.0.0.2" and session.user_agent == "u"
        assert session.parent_hash and session.token_hash != session.parent_hash


@states
def test_session_refresh(user, state):
    issued = state.make(user)

    outcome = refresh_outcome(
        lambda: session_refresh(
            refresh_token=issued.refresh_token, caller=Caller(ip_address=None, user_agent="t")
        )
    )

    assert outcome == state.refresh_error


@states
def test_sessions_list(user, state):
    issued = state.make(user)

    listed = {session.pk for session in sessions_active(user=user, now=timezone.now())}

    assert (issued.session.pk in listed) == state.live


@states
@pytest.mark.parametrize("retention", ["none", "a week"])
def test_cleanup(user, state, retention):
    issued = state.make(user)

    sessions_delete_stale(revoked_before=timedelta(0) if retention == "none" else RETENTION)

    deleted = not Session.objects.filter(pk=issued.session.pk).exists()
    expected = state.deleted_at_once if retention == "none" else state.deleted_after_retention
    assert deleted == expected
    assert not (deleted and state.live)


@states
@pytest.mark.parametrize("redis_copy", ["as published", "rebuilt from the database"])
def test_access_token_check(gql, user, state, redis_copy):
    issued = state.make(user)
    if redis_copy == "rebuilt from the database":
        # Redis lost every key (a restart without persistence): the check rebuilds first.
        cache.delete_pattern("*")  # type: ignore[attr-defined]

    result = gql(SESSIONS, token=issued.access_token)

    if state.access_accepted:
        assert result.errors == []
        assert data(result)["sessions"] is not None
    else:
        assert result.error_codes == ["UNAUTHENTICATED"]

"""Refresh rotation: single use, reuse detection, grace window, lifetimes, concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import User
from api.context import Caller
from api.testing import GraphQLClient
from core.errors import DomainError
from tokens.models import AuthMethod, Session
from tokens.refresh import salted_sha256
from tokens.services import session_refresh, session_start
from tokens.tests.helpers import ME, codes, data, refresh


def start(user: User) -> tuple[str, str, Session]:
    issued = session_start(
        user=user, auth_method=AuthMethod.PASSWORD, caller=Caller(ip_address=None, user_agent="t")
    )
    return issued.access_token, issued.refresh_token, issued.session


def rotate(token: str) -> str:
    return session_refresh(
        refresh_token=token, caller=Caller(ip_address=None, user_agent="t")
    ).refresh_token


def age_rotation(session: Session, seconds: int) -> None:
    Session.objects.filter(pk=session.pk).update(
        rotated_at=timezone.now() - timedelta(seconds=seconds)
    )


def error_code(token: str) -> str:
    with pytest.raises(DomainError) as caught:
        rotate(token)
    return str(caught.value.code)


@pytest.mark.django_db
def test_refresh_returns_a_new_pair_and_spends_the_token(gql, user):
    # given
    _, first, session = start(user)

    # when
    payload = data(refresh(gql, first))["refresh"]

    # then
    assert payload["errors"] == []
    assert payload["refreshToken"] not in {None, first}
    assert data(gql(ME, token=payload["accessToken"]))["me"]["id"] == str(user.pk)
    session.refresh_from_db()
    assert session.generation == 1
    assert data(refresh(gql, payload["refreshToken"]))["refresh"]["errors"] == []


@pytest.mark.django_db
def test_reusing_the_grandparent_revokes_the_session(gql, user):
    _, first, session = start(user)
    second = rotate(first)
    third = rotate(second)

    payload = data(refresh(gql, first))["refresh"]

    assert codes(payload) == ["TOKEN_REUSED"]
    session.refresh_from_db()
    assert session.revoked_at is not None
    # the thief's and the owner's tokens are all dead now
    assert error_code(third) == "SESSION_REVOKED"


@pytest.mark.django_db
def test_the_parent_inside_the_grace_window_gets_the_same_successor(user):
    _, first, _ = start(user)
    second = rotate(first)
    assert rotate(first) == second
    assert rotate(first) == second


@pytest.mark.django_db
def test_the_parent_after_the_grace_window_revokes_the_session(gql, user):
    # given
    access, first, session = start(user)
    second = rotate(first)
    age_rotation(session, 11)

    # when
    payload = data(refresh(gql, first))["refresh"]

    # then
    assert codes(payload) == ["TOKEN_REUSED"]
    assert error_code(second) == "SESSION_REVOKED"
    assert gql(ME, token=access).error_codes == ["UNAUTHENTICATED"]


@pytest.mark.django_db
def test_a_forged_token_for_a_known_session_does_not_revoke_it(user):
    _, first, session = start(user)
    sid, generation, nonce, tag = first.split(".")
    forged = f"{sid}.{int(generation) + 5}.{nonce}.{tag}"
    assert error_code(forged) == "INVALID_TOKEN"
    assert error_code(f"{sid}.0.AAAA.AAAA") == "INVALID_TOKEN"
    session.refresh_from_db()
    assert session.revoked_at is None
    assert rotate(first)


@pytest.mark.django_db
def test_idle_sessions_expire(user, settings):
    _, first, session = start(user)
    Session.objects.filter(pk=session.pk).update(
        last_used_at=timezone.now() - settings.REFRESH_TOKEN_LIFETIME - timedelta(seconds=1)
    )
    assert error_code(first) == "TOKEN_EXPIRED"


@pytest.mark.django_db
def test_sessions_end_after_their_absolute_lifetime_even_when_used(user, settings):
    _, token, session = start(user)
    Session.objects.filter(pk=session.pk).update(
        created_at=timezone.now() - settings.SESSION_ABSOLUTE_LIFETIME - timedelta(seconds=1)
    )
    assert error_code(token) == "TOKEN_EXPIRED"


@pytest.mark.django_db
def test_a_disabled_user_cannot_refresh(user):
    _, token, _ = start(user)
    user.is_active = False
    user.save()
    assert error_code(token) == "SESSION_REVOKED"


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_refreshes_all_get_the_same_new_token(user):
    # given: one token, twenty tabs
    _, token, session = start(user)
    barrier = threading.Barrier(20)
    results: list[dict] = []
    lock = threading.Lock()

    def tab() -> None:
        try:
            barrier.wait()
            result = refresh(GraphQLClient(Client()), token)
            with lock:
                results.append(data(result)["refresh"])
        finally:
            connection.close()

    # when: real threads, each with its own database connection
    threads = [threading.Thread(target=tab) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: all succeed with one and the same successor
    assert len(results) == 20
    assert all(payload["errors"] == [] for payload in results)
    successors = {payload["refreshToken"] for payload in results}
    assert len(successors) == 1
    successor = successors.pop()
    session.refresh_from_db()
    assert session.generation == 1
    assert session.revoked_at is None

    # and exactly one refresh token of the session works: once the grace window is over,
    # the old token is refused (and treated as theft), the successor is the live one.
    age_rotation(session, 11)
    newer = rotate(successor)
    assert newer not in {token, successor}
    assert error_code(token) == "TOKEN_REUSED"


@pytest.mark.django_db
def test_rotation_under_the_row_lock_saves_the_new_generation(user):
    # given
    _, first, session = start(user)

    # when
    issued = session_refresh(
        refresh_token=first, caller=Caller(ip_address="10.0.0.9", user_agent="locked")
    )

    # then
    session.refresh_from_db()
    assert session.generation == 1
    assert session.user_agent == "locked"
    assert session.ip_address == "10.0.0.9"
    assert rotate(issued.refresh_token)


@pytest.mark.parametrize("value", ["", "abc.0.x", "é" * 40, "0" * 200])
def test_the_remembered_key_derivation_gives_djangos_salted_hmac(value):
    for secret in ("s3cret", settings.SECRET_KEY, "another"):
        expected = salted_hmac("a.salt", value, secret=secret, algorithm="sha256").digest()
        assert salted_sha256("a.salt", value, secret) == expected

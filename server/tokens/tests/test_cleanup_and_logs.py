"""Housekeeping of old sessions; tokens never reach a log line."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from api.context import Caller
from tokens.models import AuthMethod, Session, UserTokenState
from tokens.services import session_start
from tokens.tests.helpers import ME, data, login, refresh

pytestmark = pytest.mark.django_db


def make(user: User, **fields) -> Session:
    session = session_start(
        user=user, auth_method=AuthMethod.PASSWORD, caller=Caller(ip_address=None, user_agent="t")
    ).session
    Session.objects.filter(pk=session.pk).update(**fields)
    return session


def test_cleanup_deletes_only_stale_sessions_in_batches(user, password, settings, capsys):
    # given
    now = timezone.now()
    live = make(user)
    recently_revoked = make(user, revoked_at=now - timedelta(hours=1))
    long_revoked = [make(user, revoked_at=now - timedelta(days=8)) for _ in range(5)]
    idle = make(user, last_used_at=now - settings.REFRESH_TOKEN_LIFETIME - timedelta(minutes=1))
    too_old = make(user, created_at=now - settings.SESSION_ABSOLUTE_LIFETIME - timedelta(days=1))
    other = User.objects.create_user("bob@example.com", password, email_verified=True)
    signed_out = make(other, created_at=now - timedelta(days=9))
    UserTokenState.objects.create(user=other, tokens_valid_after=now - timedelta(days=8))

    # when
    call_command("cleanup_sessions", "--batch-size", "2")

    # then
    remaining = set(Session.objects.values_list("pk", flat=True))
    assert remaining == {live.pk, recently_revoked.pk}
    gone = {s.pk for s in [*long_revoked, idle, too_old, signed_out]}
    assert not remaining & gone
    assert "deleted 8 stale sessions" in capsys.readouterr().out


def test_tokens_never_reach_the_logs(gql, user, password, caplog):
    caplog.set_level(logging.DEBUG)
    payload = data(login(gql, "ada@example.com", password))["login"]
    rotated = data(refresh(gql, payload["refreshToken"]))["refresh"]
    refresh(gql, payload["refreshToken"] + "x")  # forged: refused
    gql(ME, token=payload["accessToken"] + "x")  # forged: refused
    refresh(gql, "garbage." + payload["refreshToken"])
    refresh(gql, payload["refreshToken"])  # the parent, inside the grace window
    text = caplog.text
    secrets = [payload["accessToken"], payload["refreshToken"], rotated["refreshToken"]]
    for secret in secrets:
        assert secret not in text
        assert secret.split(".")[-1] not in text
    assert password not in text

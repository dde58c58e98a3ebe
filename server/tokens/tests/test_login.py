from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.models import User
from tokens.models import AuthMethod, Session
from tokens.tests.helpers import ME, data, login

pytestmark = pytest.mark.django_db


def test_login_returns_a_working_pair_and_records_the_session(gql, user, password):
    # when
    result = login(gql, "ADA@example.com ", password, headers={"User-Agent": "Firefox/140"})

    # then
    payload = data(result)["login"]
    assert payload["errors"] == []
    assert payload["user"]["email"] == "ada@example.com"
    assert payload["refreshToken"]
    session = Session.objects.get(user=user)
    assert session.auth_method == AuthMethod.PASSWORD
    assert session.user_agent == "Firefox/140"
    assert session.ip_address == "127.0.0.1"
    assert session.generation == 0
    assert payload["refreshToken"] not in session.token_hash
    me = gql(ME, token=payload["accessToken"])
    assert data(me) == {"me": {"id": str(user.pk), "email": "ada@example.com"}}


def test_wrong_password_and_unknown_email_answer_alike(gql, user, password):
    wrong = data(login(gql, "ada@example.com", password + "x"))["login"]
    unknown = data(login(gql, "nobody@example.com", password))["login"]
    assert wrong["errors"] == unknown["errors"]
    assert [e["code"] for e in wrong["errors"]] == ["INVALID_CREDENTIALS"]
    assert wrong["accessToken"] is None and unknown["refreshToken"] is None
    assert not Session.objects.exists()


def test_unverified_account_is_told_only_with_the_right_password(gql, password):
    User.objects.create_user("new@example.com", password, email_verified=False)
    right = data(login(gql, "new@example.com", password))["login"]
    wrong = data(login(gql, "new@example.com", "not-the-password"))["login"]
    assert [e["code"] for e in right["errors"]] == ["EMAIL_NOT_VERIFIED"]
    assert [e["code"] for e in wrong["errors"]] == ["INVALID_CREDENTIALS"]


def test_disabled_account_is_told_only_with_the_right_password(gql, password):
    User.objects.create_user("off@example.com", password, email_verified=True, is_active=False)
    right = data(login(gql, "off@example.com", password))["login"]
    wrong = data(login(gql, "off@example.com", "not-the-password"))["login"]
    assert [e["code"] for e in right["errors"]] == ["ACCOUNT_DISABLED"]
    assert [e["code"] for e in wrong["errors"]] == ["INVALID_CREDENTIALS"]


@override_settings(LOGIN_RATE_LIMIT_PER_EMAIL=3)
def test_login_is_rate_limited_per_email(gql, user, password):
    for _ in range(3):
        assert data(login(gql, "ada@example.com", "wrong-password"))["login"]["errors"]
    limited = data(login(gql, "ada@example.com", password))["login"]
    assert [e["code"] for e in limited["errors"]] == ["RATE_LIMITED"]
    assert limited["accessToken"] is None


@override_settings(LOGIN_RATE_LIMIT_PER_IP=3)
def test_login_is_rate_limited_per_ip(gql, user, password):
    for n in range(3):
        login(gql, f"someone{n}@example.com", "wrong-password")
    limited = data(login(gql, "ada@example.com", password))["login"]
    assert [e["code"] for e in limited["errors"]] == ["RATE_LIMITED"]


def test_unknown_email_costs_the_same_password_hashing_as_a_wrong_password(
    gql, user, password, monkeypatch
):
    # Timing alone is too noisy to assert; the work that dominates it is counted instead.
    from django.contrib.auth import hashers

    hasher = hashers.get_hasher()
    calls: list[str] = []
    encode, verify = type(hasher).encode, type(hasher).verify

    def counting_encode(self, *args, **kwargs):
        calls.append("hash")
        return encode(self, *args, **kwargs)

    def counting_verify(self, *args, **kwargs):
        calls.append("hash")
        return verify(self, *args, **kwargs)

    monkeypatch.setattr(type(hasher), "encode", counting_encode)
    monkeypatch.setattr(type(hasher), "verify", counting_verify)

    login(gql, "ada@example.com", "wrong-password-1")
    wrong = len(calls)
    calls.clear()
    login(gql, "nobody@example.com", "wrong-password-1")
    unknown = len(calls)

    assert wrong == unknown == 1


def test_a_password_sign_in_spends_reset_links_sent_before_it(gql, user, password):
    from accounts.email_tokens import reset_token_check, reset_token_make
    from core.errors import DomainError

    # given a reset link sent before the owner remembered the password
    token = reset_token_make(user=user)
    # when they sign in with the password
    assert data(login(gql, user.email, password))["login"]["errors"] == []
    # then the old link no longer works
    user.refresh_from_db()
    assert user.last_login is not None
    with pytest.raises(DomainError) as caught:
        reset_token_check(token=token)
    assert caught.value.code.value == "INVALID_TOKEN"


def test_a_sign_ins_writes_are_one_statement_and_match_the_orms(user):
    from django.db import IntegrityError, connection, transaction

    from api.context import Caller
    from api.testing import counted_statements
    from tokens.models import AuthMethod, Session
    from tokens.services import session_start
    from tokens.services.signin import _new_session, _signed_in

    caller = Caller(ip_address="2001:db8::1", user_agent="agent " * 60)
    with counted_statements() as sent:
        issued = session_start(
            user=user, auth_method=AuthMethod.PASSWORD, caller=caller, last_login=True
        )
    # the ORM's own session row for the same caller, without last_login, as the reference
    reference = session_start(user=user, auth_method=AuthMethod.PASSWORD, caller=caller).session
    if connection.vendor == "postgresql":
        assert len(sent) == 1
    stored = Session.objects.get(pk=issued.session.pk)
    for field in Session._meta.concrete_fields:
        assert getattr(issued.session, field.attname) == getattr(stored, field.attname), field
    assert stored.ip_address == reference.ip_address == "2001:db8::1"
    assert stored.user_agent == Session.objects.get(pk=reference.pk).user_agent
    assert issued.session.user == user
    user.refresh_from_db()
    assert user.last_login == stored.created_at

    # all or nothing: an insert that fails leaves last_login as it was
    if connection.vendor == "postgresql":
        again, _ = _new_session(user=user, auth_method=AuthMethod.PASSWORD, caller=caller)
        again.id = stored.id
        again.created_at = stored.created_at.replace(year=2030)
        try:
            with transaction.atomic():  # a savepoint: the test's transaction goes on
                _signed_in(again)
        except IntegrityError:
            pass
        else:
            raise AssertionError("a duplicate session id was written")
        user.refresh_from_db()
        assert user.last_login == stored.created_at

"""A sign-in's writes in one round trip (fastpath/signin.py): the same rows as the plain
transaction, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.test import override_settings

from accounts.models import User
from fastpath.signin import insert_session
from fastpath.tests.sql import counted_statements
from tokens.models import AuthMethod, Session
from tokens.services import session_start, session_start_signed_in
from tokens.tests.helpers import LOGIN, data

pytestmark = pytest.mark.django_db(transaction=True)


def start(user: User) -> Session:
    return session_start_signed_in(
        user=user, auth_method=AuthMethod.PASSWORD, user_agent="ua", ip_address="203.0.113.9"
    ).session


def row(session: Session) -> dict[str, Any]:
    found = model_to_dict(Session.objects.get(pk=session.pk))
    return {k: v for k, v in found.items() if k not in {"id", "token_hash"}}


def test_a_sign_in_writes_last_login_and_the_session_in_one_round_trip(gql, user, password):
    assert user.last_login is None
    with counted_statements() as sent:
        variables = {"email": user.email, "password": password, "transport": "BODY"}
        payload = data(gql(LOGIN, variables))["login"]
    assert payload["errors"] == []
    writes = [s for s in sent if "tokens_session" in s and "INSERT" in s]
    assert len(writes) == 1
    assert 'UPDATE "accounts_user" SET "last_login"' in writes[0]
    assert not [s for s in sent if s.strip().upper() in {"BEGIN", "COMMIT"}]
    session = Session.objects.get(user=user)
    user.refresh_from_db()
    assert user.last_login == session.created_at


def test_the_same_rows_as_the_plain_transaction(user):
    fast = start(user)
    fast_login = User.objects.get(pk=user.pk).last_login
    with override_settings(SESSION_INSERT_SHORTCUT=None):
        plain = start(user)
    plain_login = User.objects.get(pk=user.pk).last_login

    assert fast_login == fast.created_at and plain_login == plain.created_at
    fast_row, plain_row = row(fast), row(plain)
    for moment in ("created_at", "last_used_at", "rotated_at", "authenticated_at"):
        assert fast_row.pop(moment) == fast.created_at
        assert plain_row.pop(moment) == plain.created_at
    assert fast_row == plain_row
    assert fast_row["ip_address"] == "203.0.113.9"
    # The instance is saved: a later save() updates the row.
    fast.user_agent = "changed"
    fast.save()
    assert Session.objects.get(pk=fast.pk).user_agent == "changed"


def test_all_or_nothing_when_the_insert_fails(user):
    existing = start(user)
    stamped = User.objects.get(pk=user.pk).last_login
    clash = Session(**{f.attname: getattr(existing, f.attname) for f in Session._meta.fields})
    clash.created_at = existing.created_at.replace(year=existing.created_at.year + 1)

    with pytest.raises(IntegrityError):
        insert_session(clash, last_login=True)

    assert User.objects.get(pk=user.pk).last_login == stamped  # the UPDATE went back too
    assert Session.objects.filter(user=user).count() == 1


def test_inside_a_callers_transaction_it_goes_back_with_it(user):
    def sign_in_then_fail() -> None:
        with transaction.atomic():
            start(user)
            raise RuntimeError("the caller fails after the session was written")

    with pytest.raises(RuntimeError):
        sign_in_then_fail()

    assert not Session.objects.filter(user=user).exists()
    assert User.objects.get(pk=user.pk).last_login is None


def test_without_last_login_only_the_session_is_written(user):
    with counted_statements() as sent:
        session_start(user=user, auth_method=AuthMethod.PASSWORD, user_agent="", ip_address=None)
    assert not [s for s in sent if "accounts_user" in s and "UPDATE" in s]
    assert User.objects.get(pk=user.pk).last_login is None

"""A sign-in's statements (fastpath/signin.py): compiled once, and the same as Django's
compilers write; the user lookup finds what the plain query finds, with its second-factor
flag; the writes go in one round trip, with the same rows as the plain transaction, all or
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField, Q, QuerySet, Value
from django.db.models.sql import InsertQuery, UpdateQuery
from django.forms.models import model_to_dict
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from fastpath import signin
from fastpath.signin import insert_session, user_by_email
from fastpath.tests.sql import counted_statements
from mfa import selectors
from mfa.models import TotpDevice
from tokens.models import AuthMethod, Session
from tokens.services import session_start, session_start_signed_in
from tokens.services.signin import _new_session, _user_by_email
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


def compiled_by_django(session: Session, last_login: bool) -> tuple[str, list[Any]]:
    """The two statements as Django's compilers write them for this very session."""
    statements: list[str] = []
    params: list[Any] = []
    if last_login:
        update = UpdateQuery(User)
        update.add_update_values({"last_login": session.created_at})
        update.add_q(Q(pk=session.user_id))
        sql, update_params = update.get_compiler(connection=connection).as_sql()
        statements.append(sql)
        params.extend(update_params)
    insert = InsertQuery(Session)
    insert.insert_values(Session._meta.local_concrete_fields, [session])
    ((sql, insert_params),) = insert.get_compiler(connection=connection).as_sql()
    statements.append(sql)
    params.extend(insert_params)
    return "; ".join(statements), params


@pytest.mark.parametrize("last_login", [True, False])
def test_the_writes_compiled_once_are_djangos_for_each_session(user, last_login):
    for ip_address, agent in (("203.0.113.9", "Firefox"), (None, ""), ("2001:db8::1", "x" * 300)):
        session, _ = _new_session(
            user=user, auth_method=AuthMethod.GOOGLE, user_agent=agent, ip_address=ip_address
        )
        assert (signin._write_sql(last_login), signin._write_params(session, last_login)) == (
            compiled_by_django(session, last_login)
        )


def test_the_lookup_finds_what_the_plain_query_finds_with_its_flag(user, password):
    other_user = User.objects.create_user("grace@example.com", password, email_verified=True)
    TotpDevice.objects.create(user=other_user, secret="x", confirmed_at=timezone.now())
    for person, flag in ((user, False), (other_user, True)):
        (found,) = user_by_email(selectors.users_signing_in, person.email) or []
        plain = selectors.users_signing_in().get(email=person.email)
        assert model_to_dict(found) == model_to_dict(plain)
        flags = (found.__dict__["second_factor_on"], plain.__dict__["second_factor_on"])
        assert (found.pk, *flags) == (person.pk, flag, flag)
        assert not found._state.adding and found._state.db == "default"
    assert user_by_email(selectors.users_signing_in, "nobody@example.com") == []


def test_a_sign_in_reads_the_user_and_the_flag_in_one_statement(gql, user, password):
    with counted_statements() as sent:
        variables = {"email": user.email, "password": password, "transport": "BODY"}
        assert data(gql(LOGIN, variables))["login"]["errors"] == []
    reads = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    lookups = [s for s in reads if 'FROM "accounts_user"' in s and '"email" =' in s]
    assert len(lookups) == 1
    assert "mfa_totpdevice" in lookups[0] and "passkeys_passkey" in lookups[0]
    # No second statement asks about second factors.
    assert not [s for s in reads if s is not lookups[0] and "mfa_totpdevice" in s]


def users_with_a_json_column() -> QuerySet[User]:
    return User.objects.annotate(extra=Value({"a": 1}, output_field=JSONField()))


def test_a_lookup_whose_rows_need_converting_is_left_to_the_orm(user):
    # JSON comes back as text that Django's converter decodes: not bound by hand here.
    assert user_by_email(users_with_a_json_column, user.email) is None
    found = _user_by_email(users_with_a_json_column, user.email)
    assert found is not None and found.pk == user.pk
    assert found.__dict__["extra"] == {"a": 1}

"""Remembered `me` answers (tokens/me_answers.py): the same bytes without running the
document, never an answer another user, an older row or a refused token would not get."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponse

from accounts.models import User
from api.context import Caller
from config.schema import GatehouseSchema
from config.views import _keepable
from tokens import me_answers
from tokens.models import AuthMethod, Session
from tokens.services import session_revoke, session_start
from tokens.snapshot import SNAPSHOT_FIELDS
from tokens.tests.helpers import ME, data

pytestmark = pytest.mark.django_db

ME_ALL = "{ me { id email emailVerified registerMethod dateJoined __typename } __typename }"


@pytest.fixture(autouse=True)
def _empty_store() -> Iterator[None]:
    me_answers.forget_all()
    yield
    me_answers.forget_all()


@pytest.fixture
def runs(monkeypatch) -> list[str]:
    """The documents the schema actually ran."""
    ran: list[str] = []
    original = GatehouseSchema.execute_sync

    def spy(self: GatehouseSchema, query: str | None, *args: Any, **kwargs: Any) -> Any:
        ran.append(query or "")
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(GatehouseSchema, "execute_sync", spy)
    return ran


def sign_in(user: User) -> str:
    return session_start(
        user=user, auth_method=AuthMethod.PASSWORD, caller=Caller(user_agent="test")
    ).access_token


def warm(gql, token: str, query: str = ME) -> dict[str, Any]:
    """Two requests: the first reads the row (no snapshot yet), the second is answered
    from the snapshot and its answer kept."""
    gql(query, token=token)
    return data(gql(query, token=token))


def test_the_same_request_again_gets_the_same_answer_without_running(gql, user, runs):
    token = sign_in(user)
    kept = warm(gql, token, ME_ALL)
    runs.clear()

    again = gql(ME_ALL, token=token)

    assert data(again) == kept
    assert kept["me"]["email"] == user.email and kept["me"]["__typename"] == "User"
    assert runs == []


def test_a_change_to_the_user_shows_at_once(gql, user, runs):
    token = sign_in(user)
    warm(gql, token)
    user.email = "ada.lovelace@example.com"
    user.save()

    assert data(gql(ME, token=token))["me"]["email"] == "ada.lovelace@example.com"
    assert runs[-1] == ME  # computed, not remembered


def test_another_user_never_gets_the_first_users_answer(gql, user, password):
    grace = User.objects.create_user("grace@example.com", password, email_verified=True)
    warm(gql, sign_in(user))

    answer = data(gql(ME, token=sign_in(grace)))

    assert answer == {"me": {"id": str(grace.pk), "email": "grace@example.com"}}


def test_a_revoked_session_is_refused_though_its_answer_was_kept(gql, user):
    token = sign_in(user)
    warm(gql, token)
    session = Session.objects.get(user=user)
    session_revoke(user=user, session_id=str(session.pk))

    assert gql(ME, token=token).error_codes == ["UNAUTHENTICATED"]


def test_a_disabled_user_is_refused_though_their_answer_was_kept(gql, user):
    token = sign_in(user)
    warm(gql, token)
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal: the snapshot stays
    user.refresh_from_db()
    user.save()  # and now the ordinary way, which drops it

    assert gql(ME, token=token).error_codes == ["UNAUTHENTICATED"]


def test_anonymous_and_refused_tokens_are_never_answered_from_the_store(gql, user, runs):
    warm(gql, sign_in(user))
    runs.clear()

    assert data(gql(ME)) == {"me": None}
    assert gql(ME, token="not-a-token").error_codes == ["UNAUTHENTICATED"]
    assert len(runs) == 2


def test_an_answer_with_errors_or_headers_is_not_kept(rf, monkeypatch):
    request = rf.post("/graphql/")
    request.gatehouse_errors = True
    assert not _keepable(request, HttpResponse())
    request.gatehouse_errors = False
    header = HttpResponse()
    header["Retry-After"] = "1"
    assert not _keepable(request, header)
    assert _keepable(request, HttpResponse())
    kept: dict[Any, bytes] = {}
    monkeypatch.setattr(me_answers, "_answers", kept)
    viewer = type("V", (), {"shown_from_snapshot": True})()
    me_answers.Ticket(key=("q", None, "u", "s"), viewer=viewer).store(b"{}")
    assert kept == {("q", None, "u", "s"): b"{}"}
    # Nor one the viewer did not build from the snapshot (it read PostgreSQL).
    kept.clear()
    me_answers.Ticket(key=("q", None, "u", "s"), viewer=object()).store(b"{}")
    assert kept == {}


def test_a_request_with_variables_runs(gql, user, runs):
    token = sign_in(user)
    warm(gql, token)
    runs.clear()

    gql(ME, token=token, variables={"unused": 1})

    assert runs == [ME]


@pytest.mark.parametrize(
    ("query", "operation_name"),
    [
        ("{ me { id email } }", None),
        ("query Me { me { id email } }", "Me"),
        ("query Me { me { id email } }", None),
        ("{ __typename me { __typename first: email id } }", None),
        ("{ a: me { id } b: me { email } }", None),
    ],
)
def test_documents_answered_from_the_snapshot_alone(query, operation_name):
    assert me_answers.answerable(query, operation_name)


@pytest.mark.parametrize(
    ("query", "operation_name"),
    [
        ("query Me { me { id } }", "Other"),
        ("query A { me { id } } query B { me { id } }", "A"),
        ("query($x: Boolean!) { me { id email @include(if: $x) } }", None),
        ("{ me { id email @skip(if: true) } }", None),
        ("{ me @include(if: true) { id } }", None),
        ("query Q @deprecated { me { id } }", None),
        ("{ me { ...F } } fragment F on User { id }", None),
        ("{ me { ... on User { id } } }", None),
        ("{ me { id profile { displayName } } }", None),
        ("{ me { id subscription { status } } }", None),
        ("{ me { id } sessions { id } }", None),
        ("{ me }", None),
        ("{ __typename }", None),
        ("mutation { logout { ok } }", None),
        ("subscription { me { id } }", None),
        ("{ me { id ", None),
        ("{ me { " + "id " * 1000 + "} }", None),
    ],
)
def test_documents_that_depend_on_anything_else_run(query, operation_name):
    assert not me_answers.answerable(query, operation_name)


def test_answerable_fields_are_user_fields_read_from_the_snapshot():
    from config.schema import schema

    user_type = schema._schema.type_map["User"]
    for field in me_answers.ANSWERABLE_FIELDS - {"__typename"}:
        assert field in user_type.fields  # type: ignore[attr-defined]
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in field)
        assert snake in SNAPSHOT_FIELDS, field


def test_a_long_document_is_refused_before_it_can_become_a_memo_key():
    me_answers._answerable.cache_clear()
    long_query = "{ me { id } }" + " " * me_answers.MAX_DOCUMENT_CHARS

    assert not me_answers.answerable(long_query, None)
    assert me_answers._answerable.cache_info().currsize == 0

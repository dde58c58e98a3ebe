"""The viewer's user row rides in the revocation round trip: `me` needs no SQL when
warm, every change to the user is visible on the next request, and the row is never part of
the token's claims."""

from __future__ import annotations

import pytest

from accounts.models import User
from api.context import Caller
from api.testing import counted_statements
from tokens.models import AuthMethod
from tokens.services import session_start
from tokens.snapshot import snapshot_load
from tokens.tests.helpers import ME, data
from tokens.verifier import AccessClaims
from tokens.viewer import authenticate

pytestmark = pytest.mark.django_db


def sign_in(user: User) -> str:
    return session_start(
        user=user, auth_method=AuthMethod.PASSWORD, caller=Caller(user_agent="test")
    ).access_token


def test_me_runs_no_sql_once_the_snapshot_is_warm(gql, user):
    token = sign_in(user)
    with counted_statements() as cold:
        first = data(gql(ME, token=token))
    with counted_statements() as warm:
        second = data(gql(ME, token=token))
    assert first == second == {"me": {"id": str(user.pk), "email": user.email}}
    assert len(cold) >= 1  # the user row, then cached
    assert warm == []


def test_a_change_to_the_user_shows_on_the_next_request(gql, user):
    token = sign_in(user)
    gql(ME, token=token)  # warm
    user.email = "ada.lovelace@example.com"
    user.save()
    assert data(gql(ME, token=token))["me"]["email"] == "ada.lovelace@example.com"


def test_a_disabled_user_is_refused_even_with_a_warm_snapshot(gql, user):
    token = sign_in(user)
    gql(ME, token=token)
    user.is_active = False
    user.save()
    assert gql(ME, token=token).error_codes == ["UNAUTHENTICATED"]


def test_the_snapshot_holds_no_password_and_defers_it_to_the_database(gql, user, password):
    token = sign_in(user)
    gql(ME, token=token)
    viewer = authenticate(token)
    claims, raw = viewer.claims, viewer.snapshot
    assert raw is not None
    assert raw not in repr(claims)
    assert user.password not in raw
    assert "argon2" not in raw
    cached = snapshot_load(raw)
    assert cached is not None
    assert "password" in cached.get_deferred_fields()
    # Reading the deferred field goes to PostgreSQL: it is the real, current hash.
    assert cached.check_password(password)


def test_fields_outside_the_snapshot_still_resolve(gql, user):
    token = sign_in(user)
    gql(ME, token=token)
    result = data(
        gql("{ me { dateJoined emailVerified registerMethod profile { bio } } }", token=token)
    )
    assert result["me"]["emailVerified"] is True
    assert result["me"]["registerMethod"] == "EMAIL"
    assert result["me"]["profile"] == {"bio": ""}


@pytest.mark.parametrize("raw", ["", "not json", "[1, 2]", '["x", "a", true, "email", true, "no"]'])
def test_an_unreadable_snapshot_is_ignored(raw):
    assert snapshot_load(raw) is None


def test_the_claims_carry_identity_only():
    names = {field for field in AccessClaims.__dataclass_fields__}
    assert names == {
        "user_id",
        "session_id",
        "jti",
        "issued_at",
        "expires_at",
        "session_created_at",
    }

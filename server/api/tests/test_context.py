"""The context seam: any verifier can be plugged in; the user loads lazily."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from tokens import verifier
from tokens.verifier import AccessClaims, AccessTokenRejected
from tokens.viewer import build_context

SEEN: list[str] = []


def fake_verifier(token: str) -> AccessClaims:
    SEEN.append(token)
    if token != "good":
        raise AccessTokenRejected("nope")
    return AccessClaims(user_id="u-1", session_id="s-1", jti="j", issued_at=1, expires_at=2)


@pytest.fixture
def plugged():
    verifier.get_access_token_verifier.cache_clear()
    with override_settings(ACCESS_TOKEN_VERIFIER="api.tests.test_context.fake_verifier"):
        yield
    verifier.get_access_token_verifier.cache_clear()


def test_context_uses_the_configured_verifier_and_loads_no_user(
    db, plugged, django_assert_num_queries
):
    request = RequestFactory().post("/graphql/", headers={"Authorization": "Bearer good"})
    with django_assert_num_queries(0):
        context = build_context(request, None)
    assert context.viewer.is_authenticated
    assert context.viewer.session_id == "s-1"
    assert context.auth_error is None
    assert SEEN[-1] == "good"


def test_context_records_rejection(plugged):
    request = RequestFactory().post("/graphql/", headers={"Authorization": "Bearer bad"})
    context = build_context(request, None)
    assert not context.viewer.is_authenticated
    assert context.auth_error is not None


def test_no_header_is_anonymous_without_calling_the_verifier(plugged):
    SEEN.clear()
    context = build_context(RequestFactory().post("/graphql/"), None)
    assert not context.viewer.is_authenticated and context.auth_error is None
    assert SEEN == []


@pytest.mark.django_db
def test_me_runs_one_query(gql, user, access_token, django_assert_num_queries):
    # The suite empties the cache before each test, as a Redis flush would: the revocation
    # set is rebuilt from PostgreSQL once, not on every request.
    gql("{ __typename }", token=access_token)
    with django_assert_num_queries(2):  # the user, then its profile
        result = gql("{ me { email profile { displayName } } }", token=access_token)
    assert result.data["me"]["email"] == user.email

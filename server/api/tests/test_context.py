"""The request context: a bearer token is checked once per request, the user loads lazily."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tokens.viewer import build_context


def test_context_verifies_the_token_and_loads_no_user(db, access_token, django_assert_num_queries):
    request = RequestFactory().post(
        "/graphql/", headers={"Authorization": f"Bearer {access_token}"}
    )
    build_context(
        RequestFactory().post("/graphql/", headers={"Authorization": f"Bearer {access_token}"}),
        None,
    )  # the revocation set is rebuilt once
    with django_assert_num_queries(0):
        context = build_context(request, None)
    assert context.viewer.is_authenticated
    assert context.auth_error is None


def test_the_token_is_checked_once_per_request(db, access_token, monkeypatch):
    import tokens.viewer

    calls: list[str] = []
    real = tokens.viewer.authenticate

    def counting(token: str):
        calls.append(token)
        return real(token)

    monkeypatch.setattr(tokens.viewer, "authenticate", counting)
    request = RequestFactory().post(
        "/graphql/", headers={"Authorization": f"Bearer {access_token}"}
    )
    first = build_context(request, None)
    second = build_context(request, None)
    assert calls == [access_token]
    assert first.viewer is second.viewer


def test_context_records_rejection():
    request = RequestFactory().post("/graphql/", headers={"Authorization": "Bearer bad"})
    context = build_context(request, None)
    assert not context.viewer.is_authenticated
    assert context.auth_error is not None


def test_no_header_is_anonymous():
    context = build_context(RequestFactory().post("/graphql/"), None)
    assert not context.viewer.is_authenticated and context.auth_error is None


@pytest.mark.django_db
def test_me_runs_one_query(gql, user, access_token, django_assert_num_queries):
    # The suite empties the cache before each test, as a Redis flush would: the revocation
    # set is rebuilt from PostgreSQL once, not on every request.
    gql("{ __typename }", token=access_token)
    with django_assert_num_queries(2):  # the user, then its profile
        result = gql("{ me { email profile { displayName } } }", token=access_token)
    assert result.data["me"]["email"] == user.email

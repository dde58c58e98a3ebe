"""RATE_LIMITED tells the client how long to wait: `Error.retryAfter` in payloads and
`extensions.retryAfter` on top-level errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from graphql import GraphQLError

from api.errors import RateLimited, shape_error
from core import ratelimit

pytestmark = pytest.mark.django_db

REGISTER = """
mutation($i: RegisterInput!) { register(input: $i) { ok errors { field code retryAfter } } }
"""
RESEND = """
mutation($e: String!) { resendVerificationEmail(email: $e) { ok errors { code retryAfter } } }
"""


def test_a_rate_limited_payload_error_says_when_to_retry(gql, settings):
    settings.REGISTRATIONS_PER_IP = 1
    settings.REGISTRATIONS_IP_WINDOW = timedelta(minutes=10)
    variables = {"i": {"email": "a@example.com", "password": "a-long-enough-passphrase"}}
    assert gql(REGISTER, variables).data["register"]["errors"] == []
    errors = gql(REGISTER, variables).data["register"]["errors"]
    assert [e["code"] for e in errors] == ["RATE_LIMITED"]
    assert 0 < errors[0]["retryAfter"] <= 600


def test_a_cooldown_says_how_much_of_it_is_left(gql, settings):
    settings.EMAIL_RESEND_COOLDOWN = timedelta(seconds=90)
    assert gql(RESEND, {"e": "b@example.com"}).data["resendVerificationEmail"]["ok"] is True
    errors = gql(RESEND, {"e": "b@example.com"}).data["resendVerificationEmail"]["errors"]
    assert errors[0]["code"] == "RATE_LIMITED"
    assert 0 < errors[0]["retryAfter"] <= 90


def test_other_errors_have_no_retry_after(gql):
    variables = {"i": {"email": "not-an-address", "password": "a-long-enough-passphrase"}}
    errors = gql(REGISTER, variables).data["register"]["errors"]
    assert errors == [{"field": "email", "code": "INVALID_EMAIL", "retryAfter": None}]


def test_a_top_level_rate_limit_carries_retry_after_in_extensions():
    window = timedelta(seconds=30)
    assert ratelimit.hit("t", "client", limit=1, window=window)
    assert not ratelimit.hit("t", "client", limit=1, window=window)
    error = shape_error(RateLimited())
    assert isinstance(error, GraphQLError)
    assert error.formatted["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error.formatted["extensions"]["retryAfter"] <= 30
    # Read once: a later, unrelated refusal-free error says nothing stale.
    assert "retryAfter" not in RateLimited().formatted["extensions"]

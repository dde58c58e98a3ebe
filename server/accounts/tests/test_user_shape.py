"""One user, one shape: `me` (cold row, warm snapshot) and `login.user` give the same id
and the same dates, and every DateTime has one RFC 3339 format."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from graphql import GraphQLError

from api.scalars import parse_datetime, serialize_datetime
from conftest import PASSWORD
from tokens.tests.helpers import data

pytestmark = pytest.mark.django_db

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

USER_FIELDS = "id email emailVerified registerMethod dateJoined"
LOGIN = (
    "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}, "
    f"transport: BODY) {{ accessToken accessTokenExpiresAt user {{ {USER_FIELDS} }} }} }}"
)
ME = f"{{ me {{ {USER_FIELDS} }} }}"


def test_me_and_login_user_have_the_same_shape(gql, user):
    login = data(gql(LOGIN, {"e": user.email, "p": PASSWORD}))["login"]
    cold = data(gql(ME, token=login["accessToken"]))["me"]  # the raw-SQL row load
    warm = data(gql(ME, token=login["accessToken"]))["me"]  # the cached snapshot
    assert cold == warm == login["user"]
    assert UUID.match(cold["id"]) and cold["id"] == str(user.pk)
    assert RFC3339_UTC.match(cold["dateJoined"])
    assert RFC3339_UTC.match(login["accessTokenExpiresAt"])
    joined = datetime.fromisoformat(cold["dateJoined"])
    assert joined == user.date_joined


def test_datetime_has_one_format_whatever_the_value():
    whole_second = datetime(2026, 11, 30, 6, 25, 56, tzinfo=UTC)
    assert serialize_datetime(whole_second) == "2026-11-30T06:25:56.000000Z"
    paris = timezone(timedelta(hours=1))
    assert (
        serialize_datetime(datetime(2026, 11, 30, 7, 25, 56, 123456, tzinfo=paris))
        == "2026-11-30T06:25:56.123456Z"
    )


def test_datetime_input_needs_an_offset():
    assert parse_datetime("2026-11-30T07:25:56+01:00") == datetime(
        2026, 11, 30, 6, 25, 56, tzinfo=UTC
    )
    for bad in ("2026-11-30T06:25:56", "2026-11-30", "yesterday", 17):
        with pytest.raises((GraphQLError, ValueError, TypeError)):
            parse_datetime(bad)


def test_the_schema_says_which_format():
    from config.schema import schema

    scalar = schema._schema.type_map["DateTime"]
    assert scalar.specified_by_url == "https://datatracker.ietf.org/doc/html/rfc3339"  # type: ignore[attr-defined]

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { ok errors { field message code } }
}
"""
ME = "{ me { id email emailVerified registerMethod dateJoined profile { displayName bio links } } }"
UPDATE = """
mutation Update($input: ProfileInput!) {
  updateProfile(input: $input) {
    user { id profile { displayName firstName lastName shortIntro bio website links } }
    errors { field message code }
  }
}
"""


def register(gql, email="new@example.com", password="a-long-enough-passphrase", **profile):
    variables = {"input": {"email": email, "password": password}}
    if profile:
        variables["input"]["profile"] = profile
    return gql(REGISTER, variables)


def test_register_creates_unverified_user_with_profile(gql):
    # when
    result = register(gql, email="  Ada@Example.COM ", displayName="Ada")
    # then
    assert result.data == {"register": {"ok": True, "errors": []}}
    user = User.objects.get()
    assert user.email == "ada@example.com"
    assert user.email_verified is False
    assert user.register_method == "email"
    assert user.profile.display_name == "Ada"
    assert user.check_password("a-long-enough-passphrase")
    assert user.password.startswith("argon2")


def test_register_existing_email_answers_exactly_like_a_new_one(gql):
    first = register(gql, email="ada@example.com")
    second = register(gql, email="ADA@example.com")
    assert first.response.content == second.response.content
    assert User.objects.count() == 1


def test_email_is_case_insensitive_unique_in_the_database(db):
    User.objects.create_user("ada@example.com", "x" * 12)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create(email="ADA@example.com")


@pytest.mark.parametrize(
    ("email", "password", "field", "code"),
    [
        ("not-an-email", "a-long-enough-passphrase", "email", "INVALID_EMAIL"),
        ("a" * 250 + "@x.com", "a-long-enough-passphrase", "email", "INVALID_EMAIL"),
        ("ok@example.com", "short", "password", "PASSWORD_TOO_WEAK"),
        ("ok@example.com", "1234567890123", "password", "PASSWORD_TOO_WEAK"),
        ("ok@example.com", "password123", "password", "PASSWORD_TOO_WEAK"),
        ("ok@example.com", "x" * 10_000, "password", "VALIDATION_ERROR"),
    ],
)
def test_register_rejects_bad_input_with_field_errors(gql, email, password, field, code):
    result = register(gql, email=email, password=password)
    assert result.status == 200
    payload = result.data["register"]
    assert payload["ok"] is False
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in payload["errors"]
    ]
    assert User.objects.count() == 0


def test_register_reports_every_bad_field_at_once(gql):
    result = register(gql, email="nope", password="short", website="javascript:alert(1)")
    fields = {e["field"] for e in result.data["register"]["errors"]}
    assert fields == {"email", "password", "profile.website"}


def test_me_is_null_for_anonymous(gql):
    assert gql(ME).data == {"me": None}


def test_me_returns_the_viewer(gql, user, access_token):
    result = gql(ME, token=access_token)
    assert result.errors == []
    me = result.data["me"]
    assert me["email"] == "ada@example.com"
    assert me["id"] == str(user.pk)
    assert me["registerMethod"] == "EMAIL"
    assert me["profile"] == {"displayName": "", "bio": "", "links": []}


def test_update_profile_changes_only_given_fields(gql, user, access_token):
    user.profile.bio = "kept"
    user.profile.save()
    result = gql(
        UPDATE,
        {"input": {"displayName": " Ada L. ", "links": ["https://example.com/ada"]}},
        token=access_token,
    )
    assert result.data["updateProfile"]["errors"] == []
    profile = result.data["updateProfile"]["user"]["profile"]
    assert profile["displayName"] == "Ada L."
    assert profile["bio"] == "kept"
    assert profile["links"] == ["https://example.com/ada"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"displayName": "x" * 51}, "displayName"),
        ({"shortIntro": "x" * 161}, "shortIntro"),
        ({"website": "ftp://example.com"}, "website"),
        ({"links": ["https://example.com"] * 11}, "links"),
        ({"links": ["not a url"]}, "links[0]"),
        ({"links": ["https://example.com/a", " ", "javascript:alert(1)"]}, "links[2]"),
    ],
)
def test_update_profile_validates(gql, user, access_token, change, field):
    result = gql(UPDATE, {"input": change}, token=access_token)
    payload = result.data["updateProfile"]
    assert payload["user"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, "VALIDATION_ERROR")]


def test_update_profile_requires_sign_in(gql):
    result = gql(UPDATE, {"input": {"bio": "x"}})
    assert result.error_codes == ["UNAUTHENTICATED"]
    assert result.data is None


def test_disabled_user_token_stops_working(gql, user, access_token):
    user.is_active = False
    user.save()
    result = gql(ME, token=access_token)
    assert result.error_codes == ["UNAUTHENTICATED"]


def test_register_is_rate_limited_per_client_whether_or_not_the_address_exists(gql, settings):
    # given a small per-IP allowance
    settings.REGISTRATIONS_PER_IP = 2
    # when one client keeps registering (a taken address counts like a new one)
    answers = [register(gql, email=f"u{n}@example.com") for n in (1, 1, 2)]
    # then the third attempt is refused before any account is created or hash computed
    assert [a.data["register"]["ok"] for a in answers] == [True, True, False]
    assert answers[2].data["register"]["errors"][0]["code"] == "RATE_LIMITED"
    assert User.objects.count() == 1


def test_update_profile_returns_the_user_that_me_returns(gql, user, access_token):
    # A normalised cache (Apollo, urql graphcache) keys on __typename + id: the payload's
    # user must be the very object `me` gave, with the new profile.
    me = gql("{ me { __typename id } }", token=access_token).data["me"]
    result = gql(
        "mutation($i: ProfileInput!) { updateProfile(input: $i) "
        "{ user { __typename id profile { displayName } } errors { code } } }",
        {"i": {"displayName": "Ada"}},
        token=access_token,
    )
    payload = result.data["updateProfile"]
    assert payload == {
        "user": {**me, "profile": {"displayName": "Ada"}},
        "errors": [],
    }


def test_explicit_null_clears_and_omitted_keeps(gql, user, access_token):
    user.profile.bio = "kept"
    user.profile.website = "https://example.com"
    user.profile.links = ["https://example.com/a"]
    user.profile.save()
    result = gql(UPDATE, {"input": {"website": None, "links": None}}, token=access_token)
    profile = result.data["updateProfile"]["user"]["profile"]
    assert (profile["bio"], profile["website"], profile["links"]) == ("kept", "", [])
    user.profile.refresh_from_db()
    assert (user.profile.bio, user.profile.website, user.profile.links) == ("kept", "", [])


def test_register_and_update_share_one_profile_input(gql):
    from config.schema import schema

    register_input: Any = schema._schema.type_map["RegisterInput"]
    update = schema._schema.type_map["Mutation"].fields["updateProfile"]  # type: ignore[attr-defined]
    assert str(register_input.fields["profile"].type) == "ProfileInput"
    assert str(update.args["input"].type) == "ProfileInput!"
    assert "UpdateProfileInput" not in schema._schema.type_map


def test_register_names_nested_profile_fields_by_path(gql):
    result = register(gql, displayName="x" * 51, links=["https://example.com", "nope"])
    errors = result.data["register"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        ("profile.displayName", "VALIDATION_ERROR"),
        ("profile.links[1]", "VALIDATION_ERROR"),
    ]

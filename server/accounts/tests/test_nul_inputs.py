"""A NUL byte in any string input is a clear payload error, never an internal error.

PostgreSQL cannot store or compare text containing NUL ("A string literal cannot contain
NUL characters"), so each such input must be refused before it reaches a query.
"""

from __future__ import annotations

import pytest

from tokens.tests.helpers import data, login

pytestmark = pytest.mark.django_db

NUL = "\x00"


def payload_codes(result, field: str) -> list[str]:
    assert result.status == 200, result.body
    assert "INTERNAL_SERVER_ERROR" not in result.error_codes, result.body
    return [e["code"] for e in data(result)[field]["errors"]]


REGISTER = """
mutation R($email: String!, $password: String!, $name: String) {
  register(input: {email: $email, password: $password, profile: {displayName: $name}}) {
    ok errors { field code }
  }
}
"""


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"email": f"eve{NUL}@example.com", "password": "a-long-passphrase-1"}, "INVALID_EMAIL"),
        ({"email": "eve@example.com", "password": f"a-long{NUL}passphrase-1"}, "VALIDATION_ERROR"),
        (
            {"email": "eve@example.com", "password": "a-long-passphrase-1", "name": f"E{NUL}"},
            "VALIDATION_ERROR",
        ),
    ],
)
def test_register(gql, variables, expected):
    assert expected in payload_codes(gql(REGISTER, variables), "register")


def test_login(gql, user, password):
    codes = payload_codes(login(gql, f"ada{NUL}@example.com", password), "login")
    assert codes == ["INVALID_EMAIL"]
    codes = payload_codes(login(gql, "ada@example.com", f"{password}{NUL}"), "login")
    assert codes == ["INVALID_CREDENTIALS"]


@pytest.mark.parametrize(
    "field", ["displayName", "firstName", "lastName", "shortIntro", "bio", "website"]
)
def test_update_profile(gql, access_token, field):
    result = gql(
        f"mutation U($v: String) {{ updateProfile(input: {{{field}: $v}})"
        " { errors { field code } } }",
        {"v": f"x{NUL}y"},
        token=access_token,
    )
    assert payload_codes(result, "updateProfile") == ["VALIDATION_ERROR"]


def test_update_profile_links(gql, access_token):
    result = gql(
        "mutation U($v: [String!]) { updateProfile(input: {links: $v}) { errors { code } } }",
        {"v": [f"https://example.com/{NUL}"]},
        token=access_token,
    )
    assert payload_codes(result, "updateProfile") == ["VALIDATION_ERROR"]


ANONYMOUS = {
    "resendVerificationEmail": ('(email: "a\\u0000@example.com")', "INVALID_EMAIL"),
    "requestPasswordReset": ('(email: "a\\u0000@example.com")', "INVALID_EMAIL"),
    "verifyEmail": ('(token: "abc\\u0000def")', "INVALID_TOKEN"),
    "resetPassword": ('(token: "abc\\u0000", newPassword: "a-long-passphrase-1")', "INVALID_TOKEN"),
    "refresh": ('(transport: BODY, refreshToken: "a\\u0000.1.b.c")', "INVALID_TOKEN"),
    "logout": ('(refreshToken: "a\\u0000.1.b.c")', "INVALID_TOKEN"),
}


@pytest.mark.parametrize("field", ANONYMOUS)
def test_anonymous_mutations(gql, field):
    arguments, expected = ANONYMOUS[field]
    result = gql(f"mutation {{ {field}{arguments} {{ errors {{ code }} }} }}")
    assert payload_codes(result, field) == [expected]


def test_change_password(gql, user, password):
    # A real, freshly signed-in session: changePassword needs a recent sign-in (step-up).
    access_token = data(login(gql, user.email, password))["login"]["accessToken"]
    result = gql(
        "mutation C($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n)"
        " { errors { field code } } }",
        {"o": password, "n": f"a-long{NUL}passphrase-1"},
        token=access_token,
    )
    assert payload_codes(result, "changePassword") == ["VALIDATION_ERROR"]


def test_revoke_session(gql, access_token):
    result = gql(
        'mutation { revokeSession(id: "a\\u0000b") { errors { code } } }', token=access_token
    )
    assert payload_codes(result, "revokeSession") == ["NOT_FOUND"]


def test_subscribe(gql, access_token):
    result = gql(
        'mutation { subscribe(planSlug: "basic\\u0000") { errors { field code } } }',
        token=access_token,
    )
    assert payload_codes(result, "subscribe") == ["VALIDATION_ERROR"]


def test_article_by_a_slug_with_nul_is_not_found(gql):
    result = gql('{ article(slug: "a\\u0000b") { slug } }')
    assert result.status == 200 and result.errors == []
    assert data(result) == {"article": None}

"""Shared GraphQL documents and helpers of the token tests."""

from __future__ import annotations

from typing import Any

from api.testing import GraphQLClient, GraphQLResult

LOGIN = """
mutation Login($email: String!, $password: String!, $transport: TokenTransport!) {
  login(input: {email: $email, password: $password}, transport: $transport) {
    accessToken accessTokenExpiresAt refreshToken
    user { id email }
    errors { field code message }
  }
}
"""

REFRESH = """
mutation Refresh($token: String, $transport: TokenTransport!) {
  refresh(refreshToken: $token, transport: $transport) {
    accessToken refreshToken errors { code field message }
  }
}
"""

LOGOUT = """
mutation Logout($token: String) { logout(refreshToken: $token) { ok errors { code } } }
"""

LOGOUT_ALL = """
mutation LogoutAll($keep: Boolean!) { logoutAll(keepCurrent: $keep) { ok errors { code } } }
"""

REVOKE = """
mutation Revoke($id: ID!) { revokeSession(id: $id) { ok errors { code field } } }
"""

SESSIONS = "{ sessions { id current authMethod userAgent ipAddress createdAt lastUsedAt } }"

ME = "{ me { id email } }"


def login(
    gql: GraphQLClient, email: str, password: str, transport: str = "BODY", **kwargs: Any
) -> GraphQLResult:
    return gql(LOGIN, {"email": email, "password": password, "transport": transport}, **kwargs)


def refresh(gql: GraphQLClient, token: str | None, transport: str = "BODY", **kwargs: Any):
    return gql(REFRESH, {"token": token, "transport": transport}, **kwargs)


def data(result: GraphQLResult) -> dict[str, Any]:
    """The response's data, failing the test with the errors when there is none."""
    assert result.data is not None, result.errors
    return result.data


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["errors"]]

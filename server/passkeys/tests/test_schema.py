"""The passkey GraphQL API end to end, with a software authenticator playing the browser."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import User
from api.testing import GraphQLClient
from core.events import SecurityEventKind, security_event
from passkeys.models import Passkey
from passkeys.tests.authenticator import SoftAuthenticator
from tokens.models import Session
from tokens.tests.helpers import ME, SESSIONS, data, login, refresh

pytestmark = pytest.mark.django_db

START_REGISTRATION = (
    "mutation { startPasskeyRegistration { options errors { code field message } } }"
)
FINISH_REGISTRATION = """
mutation Finish($credential: String!, $name: String) {
  finishPasskeyRegistration(credential: $credential, name: $name) {
    passkey { id name createdAt lastUsedAt backedUp }
    errors { code field message }
  }
}
"""
PASSKEYS = "{ passkeys { id name createdAt lastUsedAt backedUp } }"
REMOVE = "mutation Remove($id: ID!) { removePasskey(id: $id) { ok errors { code field } } }"
START_LOGIN = "mutation { startPasskeyLogin { options errors { code message } } }"
PASSKEY_LOGIN = """
mutation PasskeyLogin($credential: String!, $transport: TokenTransport!) {
  passkeyLogin(credential: $credential, transport: $transport) {
    accessToken accessTokenExpiresAt refreshToken
    user { id email }
    errors { code field message }
  }
}
"""


@pytest.fixture
def token(gql, user, password) -> str:
    """An access token of a real password session of ada."""
    return data(login(gql, "ada@example.com", password))["login"]["accessToken"]


def add_passkey(gql, token: str, authenticator: SoftAuthenticator, name: str | None = None):
    started = data(gql(START_REGISTRATION, token=token))["startPasskeyRegistration"]
    assert started["errors"] == []
    credential = authenticator.create(started["options"])
    finished = data(gql(FINISH_REGISTRATION, {"credential": credential, "name": name}, token=token))
    return finished["finishPasskeyRegistration"]


def start_login(gql) -> str:
    started = data(gql(START_LOGIN))["startPasskeyLogin"]
    assert started["errors"] == []
    return started["options"]


def passkey_login(gql, credential: str, transport: str = "BODY", **kwargs):
    return gql(PASSKEY_LOGIN, {"credential": credential, "transport": transport}, **kwargs)


def test_register_list_and_sign_in_with_the_passkey_alone(gql, user, token, authenticator):
    added = add_passkey(gql, token, authenticator, name="Laptop")
    assert added["errors"] == []
    assert added["passkey"]["name"] == "Laptop" and added["passkey"]["lastUsedAt"] is None

    [listed] = data(gql(PASSKEYS, token=token))["passkeys"]
    assert listed == added["passkey"]

    options = json.loads(start_login(gql))
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    signed_in = data(passkey_login(gql, authenticator.get(json.dumps(options))))["passkeyLogin"]
    assert signed_in["errors"] == []
    assert signed_in["user"] == {"id": str(user.pk), "email": "ada@example.com"}
    assert signed_in["refreshToken"]
    access = signed_in["accessToken"]
    assert data(gql(ME, token=access))["me"]["email"] == "ada@example.com"
    sessions = data(gql(SESSIONS, token=access))["sessions"]
    assert [s["authMethod"] for s in sessions if s["current"]] == ["PASSKEY"]
    # The refresh token rotates like any other.
    rotated = data(refresh(gql, signed_in["refreshToken"]))["refresh"]
    assert rotated["errors"] == [] and rotated["accessToken"]
    assert data(gql(PASSKEYS, token=access))["passkeys"][0]["lastUsedAt"] is not None


def test_passkey_sign_in_with_the_cookie_transport(gql, user, token, authenticator):
    add_passkey(gql, token, authenticator)
    result = passkey_login(gql, authenticator.get(start_login(gql)), transport="COOKIE")
    payload = data(result)["passkeyLogin"]
    assert payload["errors"] == [] and payload["refreshToken"] is None
    cookie = result.response.cookies["gh_refresh"]
    assert cookie["httponly"] is True and cookie["path"] == "/graphql/"
    assert Session.objects.get(token_hash__isnull=False, auth_method="passkey")
    refreshed = refresh(gql, None, transport="COOKIE", headers={"Origin": "http://localhost:5173"})
    assert data(refreshed)["refresh"]["errors"] == []


def test_a_replayed_or_phished_assertion_is_refused_with_a_payload_error(
    gql, user, token, authenticator
):
    add_passkey(gql, token, authenticator)
    assertion = authenticator.get(start_login(gql))
    assert data(passkey_login(gql, assertion))["passkeyLogin"]["errors"] == []
    for credential in (
        assertion,
        authenticator.get(start_login(gql), origin="https://evil.example"),
    ):
        payload = data(passkey_login(gql, credential))["passkeyLogin"]
        assert payload["accessToken"] is None and payload["user"] is None
        [error] = payload["errors"]
        assert error["code"] == "PASSKEY_INVALID" and error["field"] == "credential"
        assert error["message"]
    assert Session.objects.filter(auth_method="passkey").count() == 1


def test_a_cloned_passkey_is_refused_and_lands_in_the_security_log(gql, user, token, authenticator):
    add_passkey(gql, token, authenticator)
    passkey_login(gql, authenticator.get(start_login(gql)))
    passkey_login(gql, authenticator.get(start_login(gql)))
    seen: list[dict] = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    security_event.connect(receiver, weak=False)
    try:
        payload = data(passkey_login(gql, authenticator.get(start_login(gql), sign_count=1)))
    finally:
        security_event.disconnect(receiver)
    assert payload["passkeyLogin"]["errors"][0]["code"] == "PASSKEY_INVALID"
    assert [(e["kind"], e["method"], e["user_id"]) for e in seen] == [
        (SecurityEventKind.SIGN_IN_FAILED, "passkey", str(user.pk))
    ]
    assert Passkey.objects.get().sign_count_regressed_at is not None


@pytest.mark.parametrize(
    "credential", ["x" * 40_000, "{}", json.dumps({"rawId": "", "response": []}), "\u0000"]
)
def test_garbage_credentials_get_passkey_invalid_not_a_500(gql, user, token, credential):
    result = passkey_login(gql, credential)
    assert result.status == 200
    assert data(result)["passkeyLogin"]["errors"][0]["code"] == "PASSKEY_INVALID"
    finished = gql(FINISH_REGISTRATION, {"credential": credential}, token=token)
    assert finished.status == 200
    assert data(finished)["finishPasskeyRegistration"]["errors"][0]["code"] == "PASSKEY_INVALID"


def test_remove_passkey(gql, user, token, authenticator):
    passkey_id = add_passkey(gql, token, authenticator)["passkey"]["id"]
    assert data(gql(REMOVE, {"id": "00000000-0000-0000-0000-000000000000"}, token=token))[
        "removePasskey"
    ] == {"ok": False, "errors": [{"code": "NOT_FOUND", "field": "id"}]}
    assert data(gql(REMOVE, {"id": passkey_id}, token=token))["removePasskey"] == {
        "ok": True,
        "errors": [],
    }
    assert data(gql(PASSKEYS, token=token))["passkeys"] == []
    payload = data(passkey_login(gql, authenticator.get(start_login(gql))))["passkeyLogin"]
    assert payload["errors"][0]["code"] == "PASSKEY_INVALID"


def test_another_users_passkey_cannot_be_removed(gql, user, token, authenticator, password):
    passkey_id = add_passkey(gql, token, authenticator)["passkey"]["id"]
    User.objects.create_user("grace@example.com", password, email_verified=True)
    other = data(login(gql, "grace@example.com", password))["login"]["accessToken"]
    assert data(gql(PASSKEYS, token=other))["passkeys"] == []
    result = data(gql(REMOVE, {"id": passkey_id}, token=other))["removePasskey"]
    assert result["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    assert Passkey.objects.filter(pk=passkey_id).exists()


def test_signed_in_operations_need_a_viewer(gql):
    for document in (PASSKEYS, START_REGISTRATION):
        assert gql(document).error_codes == ["UNAUTHENTICATED"]


def test_a_disabled_account_cannot_sign_in_with_its_passkey(gql, user, token, authenticator):
    add_passkey(gql, token, authenticator)
    User.objects.filter(pk=user.pk).update(is_active=False)
    payload = data(passkey_login(gql, authenticator.get(start_login(gql))))["passkeyLogin"]
    assert payload["errors"][0]["code"] == "ACCOUNT_DISABLED" and payload["accessToken"] is None


def test_start_passkey_login_is_rate_limited_per_ip(gql):
    for _ in range(30):
        assert data(gql(START_LOGIN))["startPasskeyLogin"]["errors"] == []
    [error] = data(gql(START_LOGIN))["startPasskeyLogin"]["errors"]
    assert error["code"] == "RATE_LIMITED"
    # Another address is counted apart.
    elsewhere = GraphQLClient(Client(REMOTE_ADDR="203.0.113.9"))
    assert data(elsewhere(START_LOGIN))["startPasskeyLogin"]["errors"] == []


@pytest.mark.django_db(transaction=True)
def test_two_racers_with_one_assertion_start_one_session(user, password, authenticator):
    from django.db import connection

    gql = GraphQLClient()
    token = data(login(gql, "ada@example.com", password))["login"]["accessToken"]
    add_passkey(gql, token, authenticator)
    assertion = authenticator.get(start_login(gql))
    barrier = threading.Barrier(4)
    results: list[dict] = []

    def race() -> None:
        try:
            barrier.wait()
            results.append(data(passkey_login(GraphQLClient(), assertion))["passkeyLogin"])
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(bool(r["accessToken"]) for r in results) == [False, False, False, True]
    assert Session.objects.filter(auth_method="passkey").count() == 1


def test_adding_or_removing_a_passkey_needs_a_recent_sign_in(gql, user, token, authenticator):
    passkey_id = add_passkey(gql, token, authenticator)["passkey"]["id"]
    # The password session signed in longer ago than STEP_UP_WINDOW.
    Session.objects.filter(user=user).update(
        authenticated_at=timezone.now() - settings.STEP_UP_WINDOW - timedelta(seconds=5)
    )
    step_up = {"code": "STEP_UP_REQUIRED", "field": None}
    started = data(gql(START_REGISTRATION, token=token))["startPasskeyRegistration"]
    assert started["options"] is None
    assert [{"code": e["code"], "field": e["field"]} for e in started["errors"]] == [step_up]
    removed = data(gql(REMOVE, {"id": passkey_id}, token=token))["removePasskey"]
    assert removed == {"ok": False, "errors": [step_up]}
    assert Passkey.objects.filter(pk=passkey_id).exists()

    # A passkey sign-in is a fresh authentication: that session may.
    fresh = data(passkey_login(gql, authenticator.get(start_login(gql))))["passkeyLogin"]
    removed = data(gql(REMOVE, {"id": passkey_id}, token=fresh["accessToken"]))["removePasskey"]
    assert removed == {"ok": True, "errors": []}

"""Passkeys as a second factor and for step-up, against the software authenticator."""

from __future__ import annotations

import json

import pytest

from accounts.models import User
from mfa import services
from mfa.models import RecoveryCode
from mfa.tests.conftest import (
    DISABLE,
    REAUTH,
    SECOND_FACTORS,
    Enrolled,
    age_sessions,
    call,
    codes,
    kinds,
    login,
    verify,
)
from passkeys import services as passkey_services
from passkeys.tests.authenticator import SoftAuthenticator
from passkeys.tests.conftest import authenticator, relying_party  # noqa: F401 (fixtures)
from tokens.models import AuthMethod, Session

pytestmark = pytest.mark.django_db

START_PASSKEY_LOGIN = "mutation { startPasskeyLogin { options errors { code } } }"


def register(user: User, device: SoftAuthenticator) -> None:
    options = passkey_services.passkey_registration_start(user=user)
    passkey_services.passkey_registration_finish(
        user=user, credential=device.create(options), name="Phone"
    )


@pytest.fixture
def with_passkey(user: User, authenticator: SoftAuthenticator) -> SoftAuthenticator:  # noqa: F811
    register(user, authenticator)
    return authenticator


def test_an_account_with_a_passkey_needs_it_after_the_password(
    gql, user, password, with_passkey: SoftAuthenticator
):
    payload = login(gql, password)
    assert codes(payload) == ["SECOND_FACTOR_REQUIRED"]
    second = payload["secondFactor"]
    assert second["methods"] == ["PASSKEY"]
    options = json.loads(second["passkeyOptions"])
    assert options["allowCredentials"] and options["challenge"]

    done = verify(
        gql, challenge=second["challenge"], passkey=with_passkey.get(second["passkeyOptions"])
    )

    assert done["errors"] == [] and done["accessToken"]
    assert Session.objects.get(user=user).auth_method == AuthMethod.PASSWORD
    token = done["accessToken"]
    assert call(gql, SECOND_FACTORS, "secondFactors", token)["passkeyCount"] == 1


def test_another_authenticators_passkey_is_refused(
    gql, user, password, with_passkey: SoftAuthenticator, events
):
    second = login(gql, password)["secondFactor"]
    stranger = SoftAuthenticator()
    # the stranger answers the same options with a credential the account does not have
    forged = stranger.get(
        json.dumps({**json.loads(second["passkeyOptions"]), "allowCredentials": []})
    )

    refused = verify(gql, challenge=second["challenge"], passkey=forged)

    assert codes(refused) == ["INVALID_SECOND_FACTOR"]
    assert refused["errors"][0]["field"] == "passkey"
    assert kinds(events) == ["second_factor_failed"] and events[0]["method"] == "passkey"


def test_a_passkey_assertion_works_once(gql, user, password, with_passkey: SoftAuthenticator):
    second = login(gql, password)["secondFactor"]
    assertion = with_passkey.get(second["passkeyOptions"])
    assert verify(gql, challenge=second["challenge"], passkey=assertion)["errors"] == []

    again = login(gql, password)["secondFactor"]
    assert codes(verify(gql, challenge=again["challenge"], passkey=assertion)) == [
        "INVALID_SECOND_FACTOR"
    ]


def test_malformed_and_huge_passkey_answers_are_refused(gql, user, password, with_passkey):
    for junk in ["{}", "not json", "x" * 20_000]:
        second = login(gql, password)["secondFactor"]
        assert codes(verify(gql, challenge=second["challenge"], passkey=junk)) == [
            "INVALID_SECOND_FACTOR"
        ]


def test_step_up_with_a_passkey(gql, user, password, with_passkey: SoftAuthenticator, events):
    second = login(gql, password)["secondFactor"]
    token = verify(
        gql, challenge=second["challenge"], passkey=with_passkey.get(second["passkeyOptions"])
    )["accessToken"]
    age_sessions(user)
    options = call(gql, START_PASSKEY_LOGIN, "startPasskeyLogin", token)["options"]

    events.clear()
    done = call(gql, REAUTH, "reauthenticate", token, input={"passkey": with_passkey.get(options)})

    assert done == {"ok": True, "errors": []}
    assert kinds(events) == ["step_up"] and events[0]["method"] == "passkey"
    # the password no longer steps up an account with a passkey
    age_sessions(user)
    by_password = call(gql, REAUTH, "reauthenticate", token, input={"password": password})
    assert codes(by_password) == ["VALIDATION_ERROR"]


def test_disabling_totp_keeps_recovery_codes_while_a_passkey_remains(
    gql,
    enrolled: Enrolled,
    password,
    authenticator: SoftAuthenticator,  # noqa: F811
):
    register(enrolled.user, authenticator)
    second = login(gql, password)["secondFactor"]
    assert second["methods"] == ["TOTP", "RECOVERY_CODE", "PASSKEY"]
    token = verify(gql, challenge=second["challenge"], code=enrolled.code())["accessToken"]
    enrolled.clock.step()

    done = call(gql, DISABLE, "disableTotp", token, password=password, code=enrolled.code())

    assert done == {"ok": True, "errors": []}
    assert RecoveryCode.objects.filter(user=enrolled.user).count() == 10
    # and sign-in still asks for the passkey (or a recovery code)
    assert login(gql, password)["secondFactor"]["methods"] == ["RECOVERY_CODE", "PASSKEY"]


def test_recovery_codes_can_be_made_with_only_a_passkey(user, with_passkey):
    codes_made = services.recovery_codes_regenerate(user=user, caller=services.Caller())
    assert len(codes_made) == 10

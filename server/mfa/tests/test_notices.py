"""Security notices when a second factor is added, their "this wasn't me" link
(`secureAccount`), and the proof a new authenticator needs from a session over a minute old.

Notices are queued in the transaction of the change; with the immediate task backend of the
tests they are sent when it commits, so the tests that read the outbox use real
transactions.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pyotp
import pytest
from django.core import mail
from django.utils import timezone

from accounts import email_tokens
from accounts.tests.conftest import text_part, token_in
from api.context import Caller
from mfa import services
from mfa.models import RecoveryCode, TotpDevice
from mfa.tests.conftest import (
    CONFIRM,
    REGENERATE,
    START,
    Clock,
    call,
    codes,
    kinds,
    login,
    verify,
)
from passkeys import services as passkey_services
from passkeys.models import Passkey
from passkeys.tests.authenticator import SoftAuthenticator
from passkeys.tests.conftest import authenticator, relying_party  # noqa: F401 (fixtures)
from tokens.models import AuthMethod, Session
from tokens.services import session_start

SECURE = """
mutation Secure($token: String!) { secureAccount(token: $token) { ok errors { code field } } }
"""
CONFIRM_WITH_PROOF = """
mutation Confirm($code: String!, $proof: ReauthenticateInput) {
  confirmTotpEnrollment(code: $code, proof: $proof) {
    recoveryCodes errors { field code message }
  }
}
"""
START_PASSKEY_LOGIN = "mutation { startPasskeyLogin { options errors { code } } }"
ME = "{ me { email } }"

ADDED_APP = "An authenticator app was added to your account"
ADDED_PASSKEY = "A passkey was added to your account"
MADE_CODES = "New recovery codes were made for your account"


def notices(subject: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.subject == subject]


def whole(message: mail.EmailMessage) -> str:
    """Subject, text and HTML of a message: everything a reader (or a leak) could see."""
    assert isinstance(message, mail.EmailMultiAlternatives)
    html = "".join(str(content) for content, _ in message.alternatives)
    return f"{message.subject}\n{text_part(message)}\n{html}"


def signed_out(gql, token: str) -> bool:
    result = gql(ME, {}, token=token)
    return bool(result.errors) and result.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


def enrol(gql, token: str, clock: Clock) -> tuple[str, dict]:
    """Start and confirm an authenticator through the API; (its secret, the confirm payload)."""
    secret = call(gql, START, "startTotpEnrollment", token)["secret"]
    payload = call(
        gql, CONFIRM, "confirmTotpEnrollment", token, code=pyotp.TOTP(secret).at(clock.now)
    )
    return secret, payload


def age_by(user, seconds: int) -> None:
    Session.objects.filter(user=user).update(
        authenticated_at=timezone.now() - timedelta(seconds=seconds)
    )


def register(user, device: SoftAuthenticator) -> Passkey:
    options = passkey_services.passkey_registration_start(user=user)
    return passkey_services.passkey_registration_finish(
        user=user, credential=device.create(options), name="Phone"
    )


# --- a notice per addition, and its link ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_added_authenticator_is_emailed_and_its_link_removes_it_and_signs_out(
    gql, user, password, clock: Clock, events, caplog
):
    caplog.set_level(logging.DEBUG)
    token = login(gql, password)["accessToken"]
    other_device = login(gql, password)["accessToken"]
    mail.outbox.clear()

    secret, payload = enrol(gql, token, clock)

    assert payload["errors"] == [] and len(payload["recoveryCodes"]) == 10
    # one notice for the app and the codes made with it
    assert len(mail.outbox) == 1
    (notice,) = notices(ADDED_APP)
    assert notice.to == ["ada@example.com"]
    text = whole(notice)
    assert "This wasn\u2019t me" in text and "/secure-account?token=" in text
    for secret_part in [secret, pyotp.TOTP(secret).at(clock.now), *payload["recoveryCodes"]]:
        assert secret_part not in text
        assert secret_part not in caplog.text
        assert secret_part not in repr(events)
    assert kinds(events)[-2:] == ["totp_enabled", "recovery_codes_generated"]

    # when the owner follows the link, from anywhere (no sign-in)
    events.clear()
    link_token = token_in(notice, "secure-account")
    done = gql(SECURE, {"token": link_token}).data["secureAccount"]

    assert done == {"ok": True, "errors": []}
    assert link_token not in caplog.text
    assert not TotpDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert signed_out(gql, token) and signed_out(gql, other_device)
    assert kinds(events) == ["totp_disabled", "all_sessions_ended"]
    assert events[0]["method"] == "not_me"
    # and the password alone signs in again: the owner is not locked out by the app
    assert login(gql, password)["errors"] == []


@pytest.mark.django_db(transaction=True)
def test_an_added_passkey_is_emailed_and_its_link_removes_only_that_one(
    gql,
    user,
    password,
    authenticator: SoftAuthenticator,  # noqa: F811
):
    mine = register(user, authenticator)
    # a session that added a passkey of its own (as a thief's would)
    token = session_start(user=user, auth_method=AuthMethod.PASSKEY, caller=Caller()).access_token
    mail.outbox.clear()

    theirs = register(user, SoftAuthenticator())

    (notice,) = notices(ADDED_PASSKEY)
    assert "Phone" not in whole(notice)  # the name was chosen by whoever added it
    done = gql(SECURE, {"token": token_in(notice, "secure-account")}).data["secureAccount"]

    assert done == {"ok": True, "errors": []}
    assert list(Passkey.objects.filter(user=user)) == [mine]
    assert theirs.pk not in Passkey.objects.values_list("pk", flat=True)
    assert signed_out(gql, token)


@pytest.mark.django_db(transaction=True)
def test_regenerated_recovery_codes_are_emailed_and_the_link_removes_them(
    gql,
    user,
    password,
    authenticator: SoftAuthenticator,  # noqa: F811
    events,
):
    register(user, authenticator)
    mail.outbox.clear()

    made = services.recovery_codes_regenerate(user=user, caller=services.Caller())

    (notice,) = notices(MADE_CODES)
    text = whole(notice)
    assert all(code not in text for code in made)
    assert RecoveryCode.objects.filter(user=user).count() == 10

    events.clear()
    done = gql(SECURE, {"token": token_in(notice, "secure-account")}).data["secureAccount"]

    assert done == {"ok": True, "errors": []}
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert Passkey.objects.filter(user=user).count() == 1
    assert kinds(events) == ["all_sessions_ended"]


@pytest.mark.django_db(transaction=True)
def test_the_link_removes_nothing_made_after_it(gql, user, password, authenticator):  # noqa: F811
    register(user, authenticator)
    services.recovery_codes_regenerate(user=user, caller=services.Caller())
    (first,) = notices(MADE_CODES)
    # the owner makes newer codes; the older notice's link must not take those away
    services.recovery_codes_regenerate(user=user, caller=services.Caller())

    done = gql(SECURE, {"token": token_in(first, "secure-account")}).data["secureAccount"]

    assert done == {"ok": True, "errors": []}
    assert RecoveryCode.objects.filter(user=user).count() == 10


@pytest.mark.django_db(transaction=True)
def test_the_new_device_notice_carries_the_same_link(gql, user, password, events):
    chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36"
    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
    login(gql, password, headers={"User-Agent": chrome})
    token = login(gql, password, headers={"User-Agent": firefox})["accessToken"]
    (notice,) = notices("New sign-in to your Gatehouse account")

    done = gql(SECURE, {"token": token_in(notice, "secure-account")}).data["secureAccount"]

    assert done == {"ok": True, "errors": []}
    assert signed_out(gql, token)


def test_a_bad_or_old_link_is_refused(gql, user, monkeypatch):
    token = email_tokens.not_me_token_make(user=user)
    for bad in ["", "x" * 600, token[:-2] + "zz", token.replace(":", ";", 1)]:
        payload = gql(SECURE, {"token": bad}).data["secureAccount"]
        assert payload == {"ok": False, "errors": [{"code": "INVALID_TOKEN", "field": "token"}]}

    later = email_tokens._now() + int(timedelta(days=7, seconds=1).total_seconds())
    monkeypatch.setattr(email_tokens, "_now", lambda: later)
    expired = gql(SECURE, {"token": token}).data["secureAccount"]
    assert expired == {"ok": False, "errors": [{"code": "TOKEN_EXPIRED", "field": "token"}]}


# --- proof when the sign-in is over a minute old -----------------------------------------


def test_a_confirm_right_after_signing_in_needs_no_proof(gql, user, password, clock: Clock):
    token = login(gql, password)["accessToken"]
    age_by(user, 59)
    _, payload = enrol(gql, token, clock)
    assert payload["errors"] == [] and payload["recoveryCodes"]


def test_a_confirm_61_seconds_after_signing_in_needs_the_password(
    gql, user, password, clock: Clock, events
):
    token = login(gql, password)["accessToken"]
    secret = call(gql, START, "startTotpEnrollment", token)["secret"]
    age_by(user, 61)
    code = pyotp.TOTP(secret).at(clock.now)

    refused = call(gql, CONFIRM, "confirmTotpEnrollment", token, code=code)

    assert refused["recoveryCodes"] is None
    (error,) = refused["errors"]
    assert (error["code"], error["field"]) == ("REAUTHENTICATION_REQUIRED", "proof")
    assert "`proof.password`" in error["message"]
    assert TotpDevice.objects.get(user=user).confirmed_at is None

    wrong = call(
        gql,
        CONFIRM_WITH_PROOF,
        "confirmTotpEnrollment",
        token,
        code=code,
        proof={"password": "not-the-password-1"},
    )
    assert codes(wrong) == ["INVALID_CREDENTIALS"]
    assert TotpDevice.objects.get(user=user).confirmed_at is None

    events.clear()
    done = call(
        gql,
        CONFIRM_WITH_PROOF,
        "confirmTotpEnrollment",
        token,
        code=code,
        proof={"password": password},
    )

    assert done["errors"] == [] and len(done["recoveryCodes"]) == 10
    assert TotpDevice.objects.get(user=user).confirmed_at is not None
    assert kinds(events) == ["step_up", "totp_enabled", "recovery_codes_generated"]
    assert password not in repr(events)


def test_a_confirm_61_seconds_later_takes_an_existing_factor_not_the_password(
    gql,
    user,
    password,
    clock: Clock,
    authenticator: SoftAuthenticator,  # noqa: F811
):
    register(user, authenticator)
    made = services.recovery_codes_regenerate(user=user, caller=services.Caller())
    challenge = login(gql, password)["secondFactor"]["challenge"]
    token = verify(gql, challenge=challenge, recoveryCode=made[0])["accessToken"]
    secret = call(gql, START, "startTotpEnrollment", token)["secret"]
    age_by(user, 61)
    code = pyotp.TOTP(secret).at(clock.now)

    refused = call(gql, CONFIRM, "confirmTotpEnrollment", token, code=code)
    (error,) = refused["errors"]
    assert error["code"] == "REAUTHENTICATION_REQUIRED"
    assert "`proof.recoveryCode`" in error["message"] and "`proof.passkey`" in error["message"]

    by_password = call(
        gql,
        CONFIRM_WITH_PROOF,
        "confirmTotpEnrollment",
        token,
        code=code,
        proof={"password": password},
    )
    assert codes(by_password) == ["VALIDATION_ERROR"]

    by_recovery_code = call(
        gql,
        CONFIRM_WITH_PROOF,
        "confirmTotpEnrollment",
        token,
        code=code,
        proof={"recoveryCode": made[1]},
    )
    assert by_recovery_code["errors"] == []
    # the account had recovery codes: none are made, the existing ones still work
    assert by_recovery_code["recoveryCodes"] is None
    assert TotpDevice.objects.get(user=user).confirmed_at is not None


def test_a_confirm_61_seconds_later_takes_a_passkey(
    gql,
    user,
    password,
    clock: Clock,
    authenticator: SoftAuthenticator,  # noqa: F811
):
    register(user, authenticator)
    second = login(gql, password)["secondFactor"]
    token = verify(
        gql, challenge=second["challenge"], passkey=authenticator.get(second["passkeyOptions"])
    )["accessToken"]
    secret = call(gql, START, "startTotpEnrollment", token)["secret"]
    age_by(user, 61)
    options = call(gql, START_PASSKEY_LOGIN, "startPasskeyLogin", token)["options"]

    done = call(
        gql,
        CONFIRM_WITH_PROOF,
        "confirmTotpEnrollment",
        token,
        code=pyotp.TOTP(secret).at(clock.now),
        proof={"passkey": authenticator.get(options)},
    )

    assert done["errors"] == [] and len(done["recoveryCodes"]) == 10


def test_regenerate_needs_a_second_factor_and_emails_nothing_when_refused(gql, user, password):
    token = login(gql, password)["accessToken"]
    mail.outbox.clear()
    refused = call(gql, REGENERATE, "regenerateRecoveryCodes", token)
    assert codes(refused) == ["TOTP_NOT_ENABLED"]
    assert mail.outbox == []

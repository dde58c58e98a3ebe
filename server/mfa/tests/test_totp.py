"""Authenticator apps (TOTP) and recovery codes: enrolment, codes, single use, storage."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from django.core import mail
from django.db import connection

from core.errors import DomainError
from mfa import crypto, services
from mfa.models import RecoveryCode, TotpDevice
from mfa.tests.conftest import (
    CONFIRM,
    DISABLE,
    REGENERATE,
    SECOND_FACTORS,
    START,
    Clock,
    Enrolled,
    age_sessions,
    call,
    codes,
    kinds,
    login,
    totp_device,
)

pytestmark = pytest.mark.django_db


def test_enrol_from_a_fresh_session_then_sign_in_asks_for_the_code(
    gql, user, password, clock, events, settings
):
    # given a freshly signed-in user
    settings.TOTP_ISSUER = "Gatehouse Test"
    token = login(gql, password)["accessToken"]
    assert call(gql, SECOND_FACTORS, "secondFactors", token) == {
        "totpEnabled": False,
        "recoveryCodesRemaining": 0,
        "passkeyCount": 0,
    }

    # when they start enrolment
    started = call(gql, START, "startTotpEnrollment", token)

    # then they get a secret and an otpauth URI with the issuer and their email
    assert started["errors"] == []
    secret = started["secret"]
    uri = urlsplit(started["otpauthUri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/Gatehouse Test:ada@example.com"
    assert parse_qs(uri.query)["secret"] == [secret]
    assert parse_qs(uri.query)["issuer"] == ["Gatehouse Test"]

    # when they confirm with the app's code
    confirmed = call(
        gql, CONFIRM, "confirmTotpEnrollment", token, code=pyotp.TOTP(secret).at(clock.now)
    )

    # then TOTP is on and ten distinct recovery codes are shown once
    assert confirmed["errors"] == []
    recovery = confirmed["recoveryCodes"]
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert all(len(code) == 11 and code[5] == "-" for code in recovery)
    assert call(gql, SECOND_FACTORS, "secondFactors", token) == {
        "totpEnabled": True,
        "recoveryCodesRemaining": 10,
        "passkeyCount": 0,
    }
    assert kinds(events) == ["sign_in", "totp_enabled", "recovery_codes_generated"]
    # nothing secret travels with the events
    flat = repr(events)
    assert secret not in flat and not any(code in flat for code in recovery)

    # and a new sign-in asks for the second factor
    payload = login(gql, password)
    assert codes(payload) == ["SECOND_FACTOR_REQUIRED"]
    assert payload["accessToken"] is None


def test_the_secret_is_encrypted_at_rest(enrolled: Enrolled):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM mfa_totpdevice WHERE user_id = %s", [enrolled.user.pk])
        (stored,) = cursor.fetchone()
    assert enrolled.secret not in stored
    assert crypto.secret_decrypt(stored) == enrolled.secret
    # recovery codes are stored as keyed hashes, never as the code
    stored_hashes = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored_hashes) == 10
    for code in enrolled.recovery_codes:
        plain = code.replace("-", "")
        assert not any(plain in value for value in stored_hashes)


def test_secrets_under_an_old_key_still_work_and_rotate(enrolled: Enrolled, settings):
    # given a new current key, the old one kept for decryption
    old = crypto._keys()[0]
    settings.MFA_ENCRYPTION_KEY = crypto.Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_OLD_KEYS = [old]

    # then the stored secret still reads
    assert crypto.secret_decrypt(totp_device(enrolled.user).secret) == enrolled.secret

    # when the rotation runs, the secret is re-encrypted under the new key only once
    assert services.secrets_reencrypt() == 1
    assert services.secrets_reencrypt() == 0
    settings.MFA_ENCRYPTION_OLD_KEYS = []
    assert crypto.secret_decrypt(totp_device(enrolled.user).secret) == enrolled.secret

    # and without the key that encrypted it, it is unreadable rather than wrong
    settings.MFA_ENCRYPTION_KEY = crypto.Fernet.generate_key().decode()
    with pytest.raises(crypto.SecretUnreadable):
        crypto.secret_decrypt(totp_device(enrolled.user).secret)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_a_code_one_step_either_side_is_accepted(enrolled: Enrolled, offset: int):
    services._totp_accept(enrolled.user, enrolled.code(offset))
    assert (
        totp_device(enrolled.user).last_used_step
        == pyotp.TOTP(enrolled.secret).timecode(enrolled.clock.now) + offset
    )


@pytest.mark.parametrize("offset", [-2, 2, -3, 3])
def test_a_code_two_steps_away_is_refused(enrolled: Enrolled, offset: int):
    with pytest.raises(services._Wrong):
        services._totp_accept(enrolled.user, enrolled.code(offset))


def test_a_code_works_once_and_older_codes_never_after_a_newer_one(enrolled: Enrolled):
    code = enrolled.code()
    services._totp_accept(enrolled.user, code)
    # the same code again, within its window
    with pytest.raises(services._Wrong):
        services._totp_accept(enrolled.user, code)
    # the previous step's code, still inside the skew window
    with pytest.raises(services._Wrong):
        services._totp_accept(enrolled.user, enrolled.code(-1))
    # the next step's code is fine
    services._totp_accept(enrolled.user, enrolled.code(1))


@pytest.mark.parametrize(
    "junk", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "1" * 10_000, "\x00" * 6]
)
def test_malformed_codes_are_wrong_not_errors(enrolled: Enrolled, junk: str):
    with pytest.raises(services._Wrong):
        services._totp_accept(enrolled.user, junk)


def test_codes_with_spaces_are_accepted(enrolled: Enrolled):
    code = enrolled.code()
    services._totp_accept(enrolled.user, f" {code[:3]} {code[3:]} ")


@pytest.mark.django_db(transaction=True)
def test_two_racers_with_the_same_code_only_one_wins(user, clock: Clock):
    enrollment = services.totp_enrollment_start(user=user)
    services.totp_enrollment_confirm(
        user=user,
        code=pyotp.TOTP(enrollment.secret).at(clock.now),
        caller=services.Caller(),
        recently_authenticated=True,
    )
    clock.step()
    code = pyotp.TOTP(enrollment.secret).at(clock.now)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def racer() -> None:
        try:
            barrier.wait()
            try:
                services._totp_accept(user, code)
                outcome = "accepted"
            except services._Wrong:
                outcome = "refused"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] + ["refused"] * 7


@pytest.mark.django_db(transaction=True)
def test_two_racers_with_the_same_recovery_code_only_one_wins(user, clock: Clock):
    enrollment = services.totp_enrollment_start(user=user)
    recovery = services.totp_enrollment_confirm(
        user=user,
        code=pyotp.TOTP(enrollment.secret).at(clock.now),
        caller=services.Caller(),
        recently_authenticated=True,
    )
    assert recovery is not None
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def racer() -> None:
        try:
            barrier.wait()
            try:
                services._recovery_code_accept(user, recovery[0])
                outcome = "accepted"
            except services._Wrong:
                outcome = "refused"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] + ["refused"] * 7
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1


def test_recovery_codes_ignore_dashes_spaces_and_case(enrolled: Enrolled):
    code = enrolled.recovery_codes[0]
    services._recovery_code_accept(enrolled.user, f"  {code.upper().replace('-', ' ')} ")
    with pytest.raises(services._Wrong):
        services._recovery_code_accept(enrolled.user, code)


def test_recovery_codes_of_another_user_do_not_work(enrolled: Enrolled, db):
    from accounts.models import User

    other = User.objects.create_user("bob@example.com", "another-password-1", email_verified=True)
    with pytest.raises(services._Wrong):
        services._recovery_code_accept(other, enrolled.recovery_codes[0])


def test_a_new_start_replaces_a_pending_one_and_confirm_needs_its_code(gql, user, password, clock):
    token = login(gql, password)["accessToken"]
    first = call(gql, START, "startTotpEnrollment", token)["secret"]
    second = call(gql, START, "startTotpEnrollment", token)["secret"]
    assert first != second

    stale = call(gql, CONFIRM, "confirmTotpEnrollment", token, code=pyotp.TOTP(first).at(clock.now))
    assert codes(stale) == ["INVALID_SECOND_FACTOR"]
    assert stale["errors"][0]["field"] == "code"
    assert stale["recoveryCodes"] is None

    good = call(gql, CONFIRM, "confirmTotpEnrollment", token, code=pyotp.TOTP(second).at(clock.now))
    assert good["errors"] == [] and len(good["recoveryCodes"]) == 10

    # then a second enrolment is refused until this one is disabled
    again = call(gql, START, "startTotpEnrollment", token)
    assert codes(again) == ["TOTP_ALREADY_ENABLED"]
    assert again["secret"] is None and again["otpauthUri"] is None


def test_confirm_without_a_start_is_refused(gql, user, password):
    token = login(gql, password)["accessToken"]
    payload = call(gql, CONFIRM, "confirmTotpEnrollment", token, code="123456")
    assert codes(payload) == ["TOTP_NOT_STARTED"]


def test_enrolment_needs_a_recent_sign_in(gql, user, password):
    token = login(gql, password)["accessToken"]
    age_sessions(user)
    payload = call(gql, START, "startTotpEnrollment", token)
    assert codes(payload) == ["STEP_UP_REQUIRED"]
    assert not TotpDevice.objects.filter(user=user).exists()


def test_enrolment_and_the_summary_need_a_signed_in_user(gql):
    assert gql(START).error_codes == ["UNAUTHENTICATED"]
    assert gql(SECOND_FACTORS).error_codes == ["UNAUTHENTICATED"]


def _fresh_token(gql, enrolled: Enrolled, password: str) -> str:
    from mfa.tests.conftest import verify

    challenge = login(gql, password)["secondFactor"]["challenge"]
    signed_in = verify(gql, challenge=challenge, code=enrolled.code())
    assert signed_in["errors"] == [], signed_in
    enrolled.clock.step()
    return signed_in["accessToken"]


def test_disable_needs_the_password_and_a_code(gql, enrolled: Enrolled, password, events):
    token = _fresh_token(gql, enrolled, password)
    events.clear()

    wrong_password = call(gql, DISABLE, "disableTotp", token, password="nope", code=enrolled.code())
    assert codes(wrong_password) == ["INVALID_CREDENTIALS"]
    assert wrong_password["errors"][0]["field"] == "password"

    no_password = call(gql, DISABLE, "disableTotp", token, code=enrolled.code())
    assert codes(no_password) == ["INVALID_CREDENTIALS"]
    assert no_password["errors"][0]["field"] == "password"

    no_factor = call(gql, DISABLE, "disableTotp", token, password=password)
    assert codes(no_factor) == ["VALIDATION_ERROR"]

    wrong_code = call(gql, DISABLE, "disableTotp", token, password=password, code="000000")
    assert codes(wrong_code) == ["INVALID_SECOND_FACTOR"]
    assert totp_device(enrolled.user).confirmed_at is not None

    done = call(gql, DISABLE, "disableTotp", token, password=password, code=enrolled.code())
    assert done == {"ok": True, "errors": []}
    assert not TotpDevice.objects.filter(user=enrolled.user).exists()
    # no second factor is left, so the recovery codes went too
    assert not RecoveryCode.objects.filter(user=enrolled.user).exists()
    assert kinds(events) == ["second_factor_failed", "totp_disabled"]

    again = call(gql, DISABLE, "disableTotp", token, password=password, code=enrolled.code(1))
    assert codes(again) == ["TOTP_NOT_ENABLED"]
    # and sign-in needs the password alone again
    assert login(gql, password)["errors"] == []


@pytest.mark.django_db(transaction=True)
def test_disable_with_a_recovery_code_sends_the_notice(gql, enrolled: Enrolled, password):
    token = _fresh_token(gql, enrolled, password)
    mail.outbox.clear()
    done = call(
        gql,
        DISABLE,
        "disableTotp",
        token,
        password=password,
        recoveryCode=enrolled.recovery_codes[3],
    )
    assert done == {"ok": True, "errors": []}
    (notice,) = mail.outbox
    assert notice.to == ["ada@example.com"]
    assert "recovery code" in notice.subject.lower()


def test_disable_needs_a_recent_sign_in(gql, enrolled: Enrolled, password):
    token = _fresh_token(gql, enrolled, password)
    age_sessions(enrolled.user)
    payload = call(gql, DISABLE, "disableTotp", token, password=password, code=enrolled.code())
    assert codes(payload) == ["STEP_UP_REQUIRED"]
    assert TotpDevice.objects.filter(user=enrolled.user).exists()


def test_regenerate_replaces_every_code(gql, enrolled: Enrolled, password, events):
    token = _fresh_token(gql, enrolled, password)
    events.clear()
    payload = call(gql, REGENERATE, "regenerateRecoveryCodes", token)
    assert payload["errors"] == []
    fresh = payload["recoveryCodes"]
    assert len(fresh) == 10 and not set(fresh) & set(enrolled.recovery_codes)
    assert kinds(events) == ["recovery_codes_generated"]
    with pytest.raises(services._Wrong):
        services._recovery_code_accept(enrolled.user, enrolled.recovery_codes[0])
    services._recovery_code_accept(enrolled.user, fresh[0])


def test_regenerate_needs_a_second_factor_and_a_recent_sign_in(gql, user, password):
    token = login(gql, password)["accessToken"]
    assert codes(call(gql, REGENERATE, "regenerateRecoveryCodes", token)) == ["TOTP_NOT_ENABLED"]
    age_sessions(user)
    assert codes(call(gql, REGENERATE, "regenerateRecoveryCodes", token)) == ["STEP_UP_REQUIRED"]


def test_confirm_codes_are_rate_limited_per_account(gql, user, password, settings):
    settings.SECOND_FACTOR_ATTEMPTS = 3
    token = login(gql, password)["accessToken"]
    call(gql, START, "startTotpEnrollment", token)
    answers = [
        codes(call(gql, CONFIRM, "confirmTotpEnrollment", token, code="000000")) for _ in range(4)
    ]
    assert answers == [["INVALID_SECOND_FACTOR"]] * 3 + [["RATE_LIMITED"]]


def test_services_refuse_a_confirmed_start(enrolled: Enrolled):
    with pytest.raises(DomainError) as refused:
        services.totp_enrollment_start(user=enrolled.user)
    assert refused.value.code == "TOTP_ALREADY_ENABLED"

"""The two-step sign-in: login (or googleLogin) → SECOND_FACTOR_REQUIRED → verifySecondFactor."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from api.testing import GraphQLClient
from core import ratelimit
from core.events import sign_in_attempted
from mfa import selectors
from mfa.models import RecoveryCode, TotpDevice
from mfa.tests.conftest import (
    ME_QUERY,
    Enrolled,
    codes,
    kinds,
    login,
    verify,
)
from passkeys.models import DeviceType, Passkey
from social.tests.conftest import provider  # noqa: F401 (the local Google stand-in)
from tokens.models import AuthMethod, Session

pytestmark = pytest.mark.django_db

NONCE_FOR_MFA = "mfa-nonce-0123456789abcdef"


def challenge_of(payload: dict) -> str:
    assert codes(payload) == ["SECOND_FACTOR_REQUIRED"], payload
    return payload["secondFactor"]["challenge"]


def test_login_with_a_second_factor_answers_a_challenge_not_tokens(gql, enrolled, password):
    payload = login(gql, password)

    assert payload["accessToken"] is None
    assert payload["refreshToken"] is None
    assert payload["user"] is None
    assert payload["errors"] == [
        {
            "code": "SECOND_FACTOR_REQUIRED",
            "field": None,
            "message": "Enter the code from your authenticator app, a recovery code or use "
            "a passkey.",
        }
    ]
    second = payload["secondFactor"]
    assert second["methods"] == ["TOTP", "RECOVERY_CODE"]
    assert second["passkeyOptions"] is None
    expires = datetime.fromisoformat(second["expiresAt"])
    lifetime = expires - timezone.now()
    assert timedelta(minutes=4) < lifetime <= settings.SECOND_FACTOR_CHALLENGE_LIFETIME
    assert not Session.objects.filter(user=enrolled.user).exists()


def test_the_code_finishes_the_sign_in(gql, enrolled: Enrolled, password, events):
    challenge = challenge_of(login(gql, password))

    payload = verify(gql, challenge=challenge, code=enrolled.code())

    assert payload["errors"] == []
    assert payload["accessToken"] and payload["refreshToken"]
    assert payload["user"]["email"] == "ada@example.com"
    assert payload["secondFactor"] is None
    me = gql(ME_QUERY, token=payload["accessToken"])
    assert me.data == {"me": {"email": "ada@example.com"}}
    session = Session.objects.get(user=enrolled.user)
    assert session.auth_method == AuthMethod.PASSWORD
    # the security log sees one sign-in, by password, only once the second factor passed
    assert kinds(events) == ["sign_in"] and events[0]["method"] == "password"


def test_a_cookie_sign_in_finishes_with_the_cookie(gql, enrolled: Enrolled, password):
    challenge = challenge_of(login(gql, password, transport="COOKIE"))
    result = gql(
        """mutation V($c: String!, $code: String!) {
          verifySecondFactor(input: {challenge: $c, code: $code}, transport: COOKIE) {
            accessToken refreshToken errors { code } } }""",
        {"c": challenge, "code": enrolled.code()},
    )
    payload = result.data["verifySecondFactor"]
    assert payload["errors"] == [] and payload["accessToken"]
    assert payload["refreshToken"] is None
    assert result.response.cookies[settings.REFRESH_COOKIE_NAME].value


def test_a_replayed_code_is_refused(gql, enrolled: Enrolled, password):
    code = enrolled.code()
    assert verify(gql, challenge=challenge_of(login(gql, password)), code=code)["errors"] == []

    again = verify(gql, challenge=challenge_of(login(gql, password)), code=code)

    assert codes(again) == ["INVALID_SECOND_FACTOR"]
    assert again["errors"][0]["field"] == "code"
    assert again["accessToken"] is None


def test_a_wrong_code_is_refused_and_logged(gql, enrolled: Enrolled, password, events):
    challenge = challenge_of(login(gql, password))
    wrong = verify(
        gql, challenge=challenge, code="000000" if enrolled.code() != "000000" else "111111"
    )
    assert codes(wrong) == ["INVALID_SECOND_FACTOR"]
    assert kinds(events) == ["second_factor_failed"]
    assert events[0]["method"] == "totp" and events[0]["user_id"] == str(enrolled.user.pk)
    # the challenge survives a wrong code: the right one still works
    assert verify(gql, challenge=challenge, code=enrolled.code())["errors"] == []


def test_a_challenge_works_once(gql, enrolled: Enrolled, password):
    challenge = challenge_of(login(gql, password))
    assert verify(gql, challenge=challenge, code=enrolled.code())["errors"] == []

    again = verify(gql, challenge=challenge, code=enrolled.code(1))

    assert codes(again) == ["CHALLENGE_EXPIRED"]
    assert again["errors"][0]["field"] == "challenge"
    # and the unused next-step code was given back (the transaction rolled back)
    assert (
        verify(gql, challenge=challenge_of(login(gql, password)), code=enrolled.code(1))["errors"]
        == []
    )


def test_an_expired_challenge_is_refused(gql, enrolled: Enrolled, password, settings):
    settings.SECOND_FACTOR_CHALLENGE_LIFETIME = timedelta(seconds=1)
    challenge = challenge_of(login(gql, password))
    time.sleep(1.2)  # Redis expires the key itself

    payload = verify(gql, challenge=challenge, code=enrolled.code())

    assert codes(payload) == ["CHALLENGE_EXPIRED"]


@pytest.mark.parametrize("junk", ["", "x", "a" * 300, "\x00", "💥" * 10])
def test_unknown_challenges_are_refused(gql, enrolled: Enrolled, junk: str):
    assert codes(verify(gql, challenge=junk, code=enrolled.code())) == ["CHALLENGE_EXPIRED"]


def test_a_challenge_from_another_transport_is_refused_and_burned(
    gql, enrolled: Enrolled, password
):
    challenge = challenge_of(login(gql, password, transport="COOKIE"))

    stolen = verify(gql, transport="BODY", challenge=challenge, code=enrolled.code())
    assert codes(stolen) == ["CHALLENGE_EXPIRED"]
    assert stolen["refreshToken"] is None

    # burned: not even the right transport can use it now
    retry = verify(gql, transport="COOKIE", challenge=challenge, code=enrolled.code())
    assert codes(retry) == ["CHALLENGE_EXPIRED"]


def test_a_few_wrong_codes_burn_the_challenge(gql, enrolled: Enrolled, password, settings):
    settings.SECOND_FACTOR_CHALLENGE_ATTEMPTS = 3
    challenge = challenge_of(login(gql, password))
    wrong = "000000" if enrolled.code() != "000000" else "111111"
    answers = [codes(verify(gql, challenge=challenge, code=wrong)) for _ in range(3)]
    assert answers == [["INVALID_SECOND_FACTOR"]] * 3

    assert codes(verify(gql, challenge=challenge, code=enrolled.code())) == ["CHALLENGE_EXPIRED"]


def test_codes_are_rate_limited_per_account_across_challenges(
    gql, enrolled: Enrolled, password, settings
):
    settings.SECOND_FACTOR_ATTEMPTS = 4
    ratelimit.reset("second_factor", str(enrolled.user.pk))  # the enrolment's code counted
    wrong = "000000" if enrolled.code() != "000000" else "111111"
    answers = []
    for _ in range(5):
        answers.append(codes(verify(gql, challenge=challenge_of(login(gql, password)), code=wrong)))
    assert answers == [["INVALID_SECOND_FACTOR"]] * 4 + [["RATE_LIMITED"]]
    # the right code is refused too while the limit holds
    limited = verify(gql, challenge=challenge_of(login(gql, password)), code=enrolled.code())
    assert codes(limited) == ["RATE_LIMITED"]


def test_exactly_one_factor(gql, enrolled: Enrolled, password):
    challenge = challenge_of(login(gql, password))
    both = verify(
        gql, challenge=challenge, code=enrolled.code(), recoveryCode=enrolled.recovery_codes[0]
    )
    assert codes(both) == ["VALIDATION_ERROR"]
    none = verify(gql, challenge=challenge)
    assert codes(none) == ["VALIDATION_ERROR"]
    # neither spent the challenge
    assert verify(gql, challenge=challenge, code=enrolled.code())["errors"] == []


@pytest.mark.django_db(transaction=True)
def test_a_recovery_code_signs_in_once_and_emails_a_notice(
    gql, enrolled: Enrolled, password, events
):
    mail.outbox.clear()
    code = enrolled.recovery_codes[0]
    payload = verify(gql, challenge=challenge_of(login(gql, password)), recoveryCode=code)

    assert payload["errors"] == [] and payload["accessToken"]
    assert sorted(kinds(events)) == ["recovery_code_used", "sign_in"]
    (used,) = [event for event in events if event["kind"] == "recovery_code_used"]
    assert used["method"] == "recovery_code"
    assert code not in repr(events)
    (notice,) = mail.outbox
    assert notice.to == ["ada@example.com"]
    assert "9 of them are left" in notice.body
    assert code not in notice.body
    assert RecoveryCode.objects.filter(user=enrolled.user, used_at__isnull=True).count() == 9

    again = verify(gql, challenge=challenge_of(login(gql, password)), recoveryCode=code)
    assert codes(again) == ["INVALID_SECOND_FACTOR"]
    assert again["errors"][0]["field"] == "recoveryCode"


@pytest.mark.django_db(transaction=True)
def test_two_racers_with_one_challenge_get_one_session(enrolled: Enrolled, password):
    challenge = challenge_of(login(GraphQLClient(Client()), password))
    # different valid factors, so that only the challenge decides
    factors = [{"code": enrolled.code()}] + [
        {"recoveryCode": code} for code in enrolled.recovery_codes[:5]
    ]
    barrier = threading.Barrier(len(factors))
    results: list[tuple[dict, dict]] = []
    lock = threading.Lock()

    def racer(factor: dict) -> None:
        try:
            barrier.wait()
            payload = verify(GraphQLClient(Client()), challenge=challenge, **factor)
            with lock:
                results.append((factor, payload))
        finally:
            connection.close()

    threads = [threading.Thread(target=racer, args=(f,)) for f in factors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [factor for factor, payload in results if payload["errors"] == []]
    assert len(winners) == 1
    losers = [payload for _, payload in results if payload["errors"]]
    assert all(codes(payload) == ["CHALLENGE_EXPIRED"] for payload in losers)
    assert Session.objects.filter(user=enrolled.user).count() == 1
    # the losers' recovery codes were given back: only the winner's is spent
    used = set(
        RecoveryCode.objects.filter(user=enrolled.user, used_at__isnull=False).values_list(
            "code_hash", flat=True
        )
    )
    assert len(used) == (1 if "recoveryCode" in winners[0] else 0)


def test_a_disabled_account_cannot_finish(gql, enrolled: Enrolled, password):
    challenge = challenge_of(login(gql, password))
    enrolled.user.is_active = False
    enrolled.user.save()
    assert codes(verify(gql, challenge=challenge, code=enrolled.code())) == ["ACCOUNT_DISABLED"]


def test_a_wrong_password_never_reaches_the_second_step(gql, enrolled: Enrolled):
    payload = login(gql, "not-the-password")
    assert codes(payload) == ["INVALID_CREDENTIALS"]
    assert payload["secondFactor"] is None


def test_sign_in_metrics_count_each_step(gql, enrolled: Enrolled, password):
    seen: list[tuple[str, str]] = []

    def receive(sender: object, *, method: str, result: str, **kwargs: object) -> None:
        seen.append((method, result))

    sign_in_attempted.connect(receive, weak=False, dispatch_uid="mfa-metrics-test")
    try:
        challenge = challenge_of(login(gql, password))
        verify(gql, challenge=challenge, code="000000" if enrolled.code() != "000000" else "1")
        verify(gql, challenge=challenge, code=enrolled.code())
    finally:
        sign_in_attempted.disconnect(dispatch_uid="mfa-metrics-test")
    assert seen == [
        ("password", "second_factor_required"),
        ("second_factor", "invalid_second_factor"),
        ("second_factor", "ok"),
    ]


def test_google_sign_in_of_an_account_with_a_second_factor_asks_for_it(
    gql,
    provider,  # noqa: F811 (the fixture imported above)
    enrolled: Enrolled,
):
    # given: a Google identity for the enrolled user's (verified) address
    provider.claims["email"] = "ada@example.com"
    token = provider.id_token(nonce=NONCE_FOR_MFA)
    result = gql(
        """mutation G($input: GoogleLoginInput!) {
          googleLogin(input: $input, transport: BODY) {
            accessToken errors { code } secondFactor { challenge methods } } }""",
        {"input": {"idToken": token, "nonce": NONCE_FOR_MFA}},
    )
    payload = result.data["googleLogin"]
    assert payload["accessToken"] is None
    assert codes(payload) == ["SECOND_FACTOR_REQUIRED"]

    # the link to Google was kept although no session started yet
    from social.models import SocialAccount

    assert SocialAccount.objects.filter(user=enrolled.user).exists()

    done = verify(gql, challenge=payload["secondFactor"]["challenge"], code=enrolled.code())
    assert done["errors"] == []
    assert Session.objects.get(user=enrolled.user).auth_method == AuthMethod.GOOGLE


def test_the_second_factor_flag_comes_with_the_user(
    user: User, password, django_assert_num_queries
):
    def loaded() -> bool:
        # The statement of a sign-in (plain SQL on PostgreSQL) and the ORM's query agree.
        found = selectors.user_signing_in(user.email)
        assert found is not None and found.pk == user.pk and found.email == user.email
        assert found.date_joined == user.date_joined and found.password == user.password
        by_orm = selectors.users_signing_in().get(pk=user.pk)
        with django_assert_num_queries(0):
            flag = selectors.second_factor_enabled(found)
            assert flag == selectors.second_factor_enabled(by_orm)
            return flag

    assert loaded() is False and selectors.second_factor_enabled(user) is False
    device = TotpDevice.objects.create(user=user, secret="x")  # not confirmed yet
    assert loaded() is False and selectors.second_factor_enabled(user) is False
    device.confirmed_at = timezone.now()
    device.save()
    assert loaded() is True and selectors.second_factor_enabled(user) is True
    device.delete()
    Passkey.objects.create(
        user=user,
        credential_id=b"id",
        public_key=b"key",
        device_type=DeviceType.SINGLE_DEVICE,
        name="k",
    )
    assert loaded() is True and selectors.second_factor_enabled(user) is True


def test_a_sign_in_lookup_of_an_unknown_address_finds_nobody(db):
    assert selectors.user_signing_in("nobody@example.com") is None

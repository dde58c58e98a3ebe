"""Step-up: sensitive changes need a session that authenticated within STEP_UP_WINDOW."""

from __future__ import annotations

import pytest

from mfa.tests.conftest import (
    REAUTH,
    START,
    Enrolled,
    age_sessions,
    call,
    codes,
    kinds,
    login,
    verify,
)
from tokens.models import Session

pytestmark = pytest.mark.django_db

CHANGE_PASSWORD = """
mutation C($old: String!, $new: String!) {
  changePassword(oldPassword: $old, newPassword: $new) { ok errors { code field } }
}
"""
LOGOUT_ALL = "mutation { logoutAll(keepCurrent: true) { ok errors { code } } }"
NEW_PASSWORD = "a-brand-new-passphrase-7"


def reauth(gql, token: str, **factor: str) -> dict:
    return call(gql, REAUTH, "reauthenticate", token, input=factor)


def test_a_fresh_session_may_change_the_password(gql, user, password):
    token = login(gql, password)["accessToken"]
    payload = call(gql, CHANGE_PASSWORD, "changePassword", token, old=password, new=NEW_PASSWORD)
    assert payload == {"ok": True, "errors": []}


def test_an_old_session_must_step_up_before_changing_the_password(gql, user, password, events):
    token = login(gql, password)["accessToken"]
    age_sessions(user)

    refused = call(gql, CHANGE_PASSWORD, "changePassword", token, old=password, new=NEW_PASSWORD)
    assert refused == {"ok": False, "errors": [{"code": "STEP_UP_REQUIRED", "field": None}]}
    user.refresh_from_db()
    assert user.check_password(password)

    # when the user re-authenticates with the password
    assert reauth(gql, token, password=password) == {"ok": True, "errors": []}
    assert kinds(events) == ["sign_in", "step_up"]
    assert events[1]["method"] == "password"
    assert password not in repr(events)

    # then the change goes through
    done = call(gql, CHANGE_PASSWORD, "changePassword", token, old=password, new=NEW_PASSWORD)
    assert done == {"ok": True, "errors": []}


def test_an_old_session_must_step_up_before_logout_all(gql, user, password):
    token = login(gql, password)["accessToken"]
    other = login(gql, password)["refreshToken"]
    age_sessions(user)

    refused = call(gql, LOGOUT_ALL, "logoutAll", token)
    assert refused == {"ok": False, "errors": [{"code": "STEP_UP_REQUIRED"}]}
    assert Session.objects.filter(user=user, revoked_at__isnull=True).count() == 2
    assert other

    reauth(gql, token, password=password)
    assert call(gql, LOGOUT_ALL, "logoutAll", token) == {"ok": True, "errors": []}


def test_reauthenticating_stamps_only_the_callers_session(gql, user, password):
    first = login(gql, password)["accessToken"]
    second = login(gql, password)["accessToken"]
    age_sessions(user)

    reauth(gql, first, password=password)

    assert call(gql, START, "startTotpEnrollment", first)["errors"] == []
    assert codes(call(gql, START, "startTotpEnrollment", second)) == ["STEP_UP_REQUIRED"]


def test_a_wrong_password_does_not_step_up(gql, user, password, settings):
    token = login(gql, password)["accessToken"]
    age_sessions(user)
    wrong = reauth(gql, token, password="not-it")
    assert wrong["ok"] is False
    assert wrong["errors"] == [
        {
            "code": "INVALID_CREDENTIALS",
            "field": "password",
            "message": "The password is not correct.",
        }
    ]
    assert codes(call(gql, START, "startTotpEnrollment", token)) == ["STEP_UP_REQUIRED"]


def test_password_attempts_are_rate_limited(gql, user, password, settings):
    settings.SECOND_FACTOR_ATTEMPTS = 2
    token = login(gql, password)["accessToken"]
    answers = [codes(reauth(gql, token, password="not-it")) for _ in range(3)]
    assert answers == [["INVALID_CREDENTIALS"]] * 2 + [["RATE_LIMITED"]]


def _signed_in(gql, enrolled: Enrolled, password: str) -> str:
    challenge = login(gql, password)["secondFactor"]["challenge"]
    payload = verify(gql, challenge=challenge, code=enrolled.code())
    assert payload["errors"] == []
    enrolled.clock.step()
    return payload["accessToken"]


def test_an_account_with_a_second_factor_must_step_up_with_it(
    gql, enrolled: Enrolled, password, events
):
    token = _signed_in(gql, enrolled, password)
    age_sessions(enrolled.user)

    by_password = reauth(gql, token, password=password)
    assert codes(by_password) == ["VALIDATION_ERROR"]
    assert by_password["errors"][0]["field"] == "password"

    wrong = reauth(gql, token, code="000000" if enrolled.code() != "000000" else "111111")
    assert codes(wrong) == ["INVALID_SECOND_FACTOR"]

    events.clear()
    assert reauth(gql, token, code=enrolled.code()) == {"ok": True, "errors": []}
    assert kinds(events) == ["step_up"] and events[0]["method"] == "totp"
    assert call(gql, LOGOUT_ALL, "logoutAll", token) == {"ok": True, "errors": []}


def test_a_replayed_code_does_not_step_up(gql, enrolled: Enrolled, password):
    token = _signed_in(gql, enrolled, password)
    code = enrolled.code()
    assert reauth(gql, token, code=code)["ok"] is True
    age_sessions(enrolled.user)
    assert codes(reauth(gql, token, code=code)) == ["INVALID_SECOND_FACTOR"]


def test_a_recovery_code_steps_up(gql, enrolled: Enrolled, password, events):
    token = _signed_in(gql, enrolled, password)
    age_sessions(enrolled.user)
    events.clear()
    assert reauth(gql, token, recoveryCode=enrolled.recovery_codes[1])["ok"] is True
    assert kinds(events) == ["recovery_code_used", "step_up"]


def test_exactly_one_proof(gql, user, password):
    token = login(gql, password)["accessToken"]
    assert codes(reauth(gql, token, password=password, code="123456")) == ["VALIDATION_ERROR"]
    assert codes(reauth(gql, token)) == ["VALIDATION_ERROR"]


def test_reauthenticate_needs_a_signed_in_user(gql):
    result = gql(REAUTH, {"input": {"password": "x"}})
    assert result.error_codes == ["UNAUTHENTICATED"]


def test_a_session_within_the_window_needs_no_step_up(gql, user, password, settings):
    token = login(gql, password)["accessToken"]
    age_sessions(user, minutes=9)
    assert call(gql, START, "startTotpEnrollment", token)["errors"] == []
    age_sessions(user, minutes=11)
    assert codes(call(gql, START, "startTotpEnrollment", token)) == ["STEP_UP_REQUIRED"]

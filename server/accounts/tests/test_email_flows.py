"""The email flows through /graphql/: what clients see and what lands in the inbox.

Tasks run with the immediate backend and the locmem mailer (config/settings_test.py) after
commit; test_delivery.py covers the queue, the worker and real SMTP.
"""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from accounts import email_tokens
from accounts.models import User
from accounts.tests.conftest import link_in, text_part, token_in
from api.context import Caller
from tokens.models import AuthMethod
from tokens.services import IssuedTokens, session_start

pytestmark = pytest.mark.usefixtures("transactional_db")

REGISTER = """
mutation Register($email: String!, $password: String!) {
  register(input: {email: $email, password: $password}) { ok errors { field message code } }
}
"""
VERIFY = """
mutation Verify($token: String!) { verifyEmail(token: $token) { ok errors { field code } } }
"""
RESEND = """
mutation Resend($email: String!) {
  resendVerificationEmail(email: $email) { ok errors { field message code } }
}
"""
REQUEST_RESET = """
mutation RequestReset($email: String!) {
  requestPasswordReset(email: $email) { ok errors { field message code } }
}
"""
RESET = """
mutation Reset($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) { ok errors { field code } }
}
"""
CHANGE = """
mutation Change($old: String!, $new: String!) {
  changePassword(oldPassword: $old, newPassword: $new) { ok errors { field code } }
}
"""
REFRESH = """
mutation Refresh($token: String!) {
  refresh(refreshToken: $token, transport: BODY) { accessToken errors { code } }
}
"""
ME = "{ me { email emailVerified } }"
OK = {"ok": True, "errors": []}


def html_part(message: mail.EmailMessage) -> str:
    """The HTML alternative, the only one each message carries."""
    assert isinstance(message, mail.EmailMultiAlternatives)
    ((content, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return str(content)


def start_session(user: User) -> IssuedTokens:
    return session_start(
        user=user,
        auth_method=AuthMethod.PASSWORD,
        caller=Caller(ip_address="127.0.0.1", user_agent="pytest"),
    )


@pytest.fixture
def verified(password) -> User:
    return User.objects.create_user("ada@example.com", password, email_verified=True)


# --- register and verification ----------------------------------------------------------


def test_register_sends_a_verification_email_that_verifies_once(gql):
    # when
    result = gql(REGISTER, {"email": "new@example.com", "password": "a-long-passphrase-1"})

    # then
    assert result.data == {"register": OK}
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    token = token_in(message, "verify-email")
    html = html_part(message)
    assert link_in(message, "verify-email").replace("&", "&amp;") in html

    assert gql(VERIFY, {"token": token}).data == {"verifyEmail": OK}
    assert User.objects.get().email_verified is True
    again = gql(VERIFY, {"token": token}).data
    assert again == {
        "verifyEmail": {"ok": False, "errors": [{"field": "token", "code": "INVALID_TOKEN"}]}
    }


def test_register_existing_address_answers_the_same_and_tells_the_owner(gql, verified, password):
    # when: a new address and a taken one (in another case) register
    fresh = gql(REGISTER, {"email": "new@example.com", "password": "a-long-passphrase-1"})
    taken = gql(REGISTER, {"email": "ADA@example.com", "password": "a-long-passphrase-1"})

    # then: byte-identical answers
    assert fresh.response.content == taken.response.content
    assert fresh.status == taken.status
    assert fresh.response["Content-Type"] == taken.response["Content-Type"]
    # the new address got a verification link, the owner a warning without any link
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"new@example.com", "ada@example.com"}
    assert by_recipient["ada@example.com"].subject == (
        "Someone tried to register with your address"
    )
    assert "token=" not in text_part(by_recipient["ada@example.com"])
    # and the existing account is untouched
    assert User.objects.get(email="ada@example.com").check_password(password)


def test_repeated_registration_attempts_notify_the_owner_once_per_cooldown(gql, verified):
    for _ in range(3):
        result = gql(REGISTER, {"email": "ada@example.com", "password": "a-long-passphrase-1"})
        assert result.data == {"register": OK}
    assert len(mail.outbox) == 1


def test_expired_verification_link_is_refused(gql, monkeypatch):
    gql(REGISTER, {"email": "new@example.com", "password": "a-long-passphrase-1"})
    token = token_in(mail.outbox[0], "verify-email")
    later = email_tokens._now() + settings.EMAIL_VERIFICATION_TOKEN_LIFETIME.total_seconds() + 1
    monkeypatch.setattr(email_tokens, "_now", lambda: int(later))

    result = gql(VERIFY, {"token": token})

    assert result.data == {
        "verifyEmail": {"ok": False, "errors": [{"field": "token", "code": "TOKEN_EXPIRED"}]}
    }


def test_tampered_verification_link_is_refused(gql):
    gql(REGISTER, {"email": "new@example.com", "password": "a-long-passphrase-1"})
    token = token_in(mail.outbox[0], "verify-email")
    tampered = token.replace(token[5], "A" if token[5] != "A" else "B", 1)

    result = gql(VERIFY, {"token": tampered})

    assert result.data == {
        "verifyEmail": {"ok": False, "errors": [{"field": "token", "code": "INVALID_TOKEN"}]}
    }
    assert User.objects.get().email_verified is False


def test_resend_answers_the_same_for_known_and_unknown_addresses(gql, password):
    User.objects.create_user("unverified@example.com", password)

    known = gql(RESEND, {"email": "unverified@example.com"})
    unknown = gql(RESEND, {"email": "nobody@example.com"})

    assert known.data == {"resendVerificationEmail": OK}
    assert known.response.content == unknown.response.content
    (message,) = mail.outbox
    assert message.to == ["unverified@example.com"]
    assert gql(VERIFY, {"token": token_in(message, "verify-email")}).data == {"verifyEmail": OK}


def test_resend_has_a_cooldown_per_address_whether_or_not_it_exists(gql, password):
    User.objects.create_user("unverified@example.com", password)
    gql(RESEND, {"email": "unverified@example.com"})
    gql(RESEND, {"email": "nobody@example.com"})

    known = gql(RESEND, {"email": "Unverified@example.com"})
    unknown = gql(RESEND, {"email": "nobody@example.com"})

    assert known.data["resendVerificationEmail"]["ok"] is False
    assert [e["code"] for e in known.data["resendVerificationEmail"]["errors"]] == ["RATE_LIMITED"]
    assert known.response.content == unknown.response.content
    assert len(mail.outbox) == 1


def test_resend_to_a_verified_address_sends_nothing(gql, verified):
    assert gql(RESEND, {"email": "ada@example.com"}).data == {"resendVerificationEmail": OK}
    assert mail.outbox == []


@override_settings(EMAIL_REQUESTS_PER_IP=3)
def test_email_requests_are_limited_per_client_ip(gql):
    results = [gql(REQUEST_RESET, {"email": f"user{i}@example.com"}) for i in range(4)]
    codes = [
        [e["code"] for e in result.data["requestPasswordReset"]["errors"]] for result in results
    ]
    assert codes == [[], [], [], ["RATE_LIMITED"]]


def test_invalid_address_is_reported(gql):
    result = gql(REQUEST_RESET, {"email": "not-an-email"})
    assert result.data["requestPasswordReset"]["errors"][0]["code"] == "INVALID_EMAIL"


# --- password reset ---------------------------------------------------------------------


def test_request_reset_answers_the_same_for_known_and_unknown_addresses(gql, verified):
    known = gql(REQUEST_RESET, {"email": "ada@example.com"})
    unknown = gql(REQUEST_RESET, {"email": "nobody@example.com"})

    assert known.data == {"requestPasswordReset": OK}
    assert known.response.content == unknown.response.content
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Reset your password"

    # and the second request inside the cooldown is refused alike
    known_again = gql(REQUEST_RESET, {"email": "ada@example.com"})
    unknown_again = gql(REQUEST_RESET, {"email": "nobody@example.com"})
    assert known_again.data["requestPasswordReset"]["errors"][0]["code"] == "RATE_LIMITED"
    assert known_again.response.content == unknown_again.response.content


def test_reset_link_works_once_and_sends_a_notice(gql, verified):
    gql(REQUEST_RESET, {"email": "ada@example.com"})
    token = token_in(mail.outbox[0], "reset-password")

    result = gql(RESET, {"token": token, "password": "brand-new-passphrase-2"})
    again = gql(RESET, {"token": token, "password": "another-passphrase-3"})

    assert result.data == {"resetPassword": OK}
    assert again.data == {
        "resetPassword": {"ok": False, "errors": [{"field": "token", "code": "INVALID_TOKEN"}]}
    }
    assert User.objects.get().check_password("brand-new-passphrase-2")
    assert mail.outbox[-1].subject == "Your password was changed"
    # no automatic sign-in: the payload carries no token
    assert "accessToken" not in result.body["data"]["resetPassword"]


def test_reset_runs_the_password_validators(gql, verified):
    gql(REQUEST_RESET, {"email": "ada@example.com"})
    token = token_in(mail.outbox[0], "reset-password")

    result = gql(RESET, {"token": token, "password": "ada@example.com"})

    assert result.data == {
        "resetPassword": {
            "ok": False,
            "errors": [{"field": "newPassword", "code": "PASSWORD_TOO_WEAK"}],
        }
    }


def test_expired_reset_link_is_refused(gql, verified, monkeypatch):
    gql(REQUEST_RESET, {"email": "ada@example.com"})
    token = token_in(mail.outbox[0], "reset-password")
    later = email_tokens._now() + settings.PASSWORD_RESET_TOKEN_LIFETIME.total_seconds() + 1
    monkeypatch.setattr(email_tokens, "_now", lambda: int(later))

    result = gql(RESET, {"token": token, "password": "brand-new-passphrase-2"})

    assert result.data == {
        "resetPassword": {"ok": False, "errors": [{"field": "token", "code": "TOKEN_EXPIRED"}]}
    }


def test_a_newer_reset_link_spends_the_older_one(gql, verified):
    from core import ratelimit

    gql(REQUEST_RESET, {"email": "ada@example.com"})
    ratelimit.reset("password_reset", "ada@example.com")  # the cooldown has passed
    gql(REQUEST_RESET, {"email": "ada@example.com"})
    older, newer = (token_in(message, "reset-password") for message in mail.outbox)

    refused = gql(RESET, {"token": older, "password": "brand-new-passphrase-2"})
    accepted = gql(RESET, {"token": newer, "password": "brand-new-passphrase-2"})

    assert refused.data["resetPassword"]["errors"] == [{"field": "token", "code": "INVALID_TOKEN"}]
    assert accepted.data == {"resetPassword": OK}


def test_reset_ends_every_session(gql, verified):
    # given: two devices signed in
    phone, laptop = start_session(verified), start_session(verified)
    assert gql(ME, token=phone.access_token).data == {
        "me": {"email": "ada@example.com", "emailVerified": True}
    }
    gql(REQUEST_RESET, {"email": "ada@example.com"})
    token = token_in(mail.outbox[0], "reset-password")

    # when
    assert gql(RESET, {"token": token, "password": "brand-new-passphrase-2"}).data == {
        "resetPassword": OK
    }

    # then: every earlier access and refresh token is refused on the next request
    for device in (phone, laptop):
        assert gql(ME, token=device.access_token).error_codes == ["UNAUTHENTICATED"]
        refreshed = gql(REFRESH, {"token": device.refresh_token}).data["refresh"]
        assert refreshed["accessToken"] is None
        assert refreshed["errors"] != []


# --- change -----------------------------------------------------------------------------


def test_change_password_keeps_only_the_current_session(gql, verified, password):
    current, other = start_session(verified), start_session(verified)

    result = gql(
        CHANGE, {"old": password, "new": "brand-new-passphrase-2"}, token=current.access_token
    )

    assert result.data == {"changePassword": OK}
    assert User.objects.get().check_password("brand-new-passphrase-2")
    # the current session goes on, access and refresh
    assert gql(ME, token=current.access_token).data["me"]["email"] == "ada@example.com"
    assert gql(REFRESH, {"token": current.refresh_token}).data["refresh"]["errors"] == []
    # the other one is over
    assert gql(ME, token=other.access_token).error_codes == ["UNAUTHENTICATED"]
    assert gql(REFRESH, {"token": other.refresh_token}).data["refresh"]["errors"] != []
    (notice,) = mail.outbox
    assert notice.subject == "Your password was changed"
    assert notice.to == ["ada@example.com"]


def test_change_password_refuses_a_wrong_current_password(gql, verified, password):
    session = start_session(verified)
    result = gql(
        CHANGE,
        {"old": "not-my-password", "new": "brand-new-passphrase-2"},
        token=session.access_token,
    )
    assert result.data == {
        "changePassword": {
            "ok": False,
            "errors": [{"field": "oldPassword", "code": "INVALID_CREDENTIALS"}],
        }
    }
    assert gql(ME, token=session.access_token).data["me"] is not None
    assert mail.outbox == []


def test_change_password_runs_the_validators(gql, verified, password):
    session = start_session(verified)
    result = gql(CHANGE, {"old": password, "new": "12345678901"}, token=session.access_token)
    assert result.data["changePassword"]["errors"] == [
        {"field": "newPassword", "code": "PASSWORD_TOO_WEAK"}
    ]


def test_change_password_requires_sign_in(gql):
    result = gql(CHANGE, {"old": "x", "new": "brand-new-passphrase-2"})
    assert result.error_codes == ["UNAUTHENTICATED"]
    assert result.data is None


# --- links and logs ---------------------------------------------------------------------


@override_settings(ALLOWED_HOSTS=["*"], USE_X_FORWARDED_HOST=True)
def test_the_host_header_changes_nothing_in_the_links(gql, verified):
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}

    gql(REGISTER, {"email": "new@example.com", "password": "a-long-passphrase-1"}, headers=evil)
    gql(REQUEST_RESET, {"email": "ada@example.com"}, headers=evil)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        html = html_part(message)
        assert "evil.example" not in message.body
        assert "evil.example" not in html
    assert link_in(mail.outbox[0], "verify-email").startswith(
        f"{settings.FRONTEND_URL}/verify-email?token="
    )
    assert link_in(mail.outbox[1], "reset-password").startswith(
        f"{settings.FRONTEND_URL}/reset-password?token="
    )


def test_no_token_or_link_reaches_a_log_line(gql, verified, password, caplog):
    caplog.set_level(logging.DEBUG)
    session = start_session(verified)

    gql(REGISTER, {"email": "new@example.com", "password": "a-long-passphrase-1"})
    verify_token = token_in(mail.outbox[-1], "verify-email")
    gql(VERIFY, {"token": verify_token})
    gql(VERIFY, {"token": verify_token})  # refused: logs nothing of it either
    gql(REQUEST_RESET, {"email": "ada@example.com"})
    reset_token = token_in(mail.outbox[-1], "reset-password")
    gql(RESET, {"token": reset_token, "password": "short"})
    gql(RESET, {"token": reset_token, "password": "brand-new-passphrase-2"})
    gql(CHANGE, {"old": password, "new": "x"}, token=session.access_token)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "email sent" in logged  # the delivery was logged, so the check sees its lines
    for secret in (verify_token, reset_token, "verify-email?", "reset-password?", password):
        assert secret not in logged

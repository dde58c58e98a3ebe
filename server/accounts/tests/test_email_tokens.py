"""The tokens in email links: single use, expiry, tampering (through the services)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings

from accounts import email_tokens
from accounts.models import User
from accounts.services import password_change, password_reset, user_verify_email
from core import ratelimit
from core.errors import DomainError


@pytest.fixture
def move_clock(monkeypatch) -> Callable[[float], None]:
    """Move the email tokens' clock forward by `seconds`."""
    real_now = email_tokens._now

    def move(seconds: float) -> None:
        monkeypatch.setattr(email_tokens, "_now", lambda: real_now() + int(seconds))

    return move


def code_of(call: Callable[[], object]) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return str(caught.value.code)


@pytest.fixture
def new_user(db) -> User:
    return User.objects.create_user("ada@example.com", "first-passphrase-1")


# --- verification -----------------------------------------------------------------------


def test_verification_token_works_once(new_user):
    token = email_tokens.verification_token_make(user=new_user)

    assert user_verify_email(token=token).email_verified is True
    assert code_of(lambda: user_verify_email(token=token)) == "INVALID_TOKEN"


def test_verification_token_expires(new_user, move_clock):
    token = email_tokens.verification_token_make(user=new_user)
    lifetime = settings.EMAIL_VERIFICATION_TOKEN_LIFETIME.total_seconds()

    move_clock(lifetime - 5)
    email_tokens.verification_token_check(token=token)  # still fine just before
    move_clock(lifetime + 1)
    assert code_of(lambda: user_verify_email(token=token)) == "TOKEN_EXPIRED"
    assert User.objects.get().email_verified is False


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature
        lambda t: "x" + t,  # payload
        lambda t: t.split(":")[0],  # signature removed
        lambda t: "",
        lambda t: t + ":" * 600,  # oversized
    ],
)
def test_tampered_verification_token_is_invalid(new_user, tamper):
    token = email_tokens.verification_token_make(user=new_user)
    assert code_of(lambda: user_verify_email(token=tamper(token))) == "INVALID_TOKEN"


def test_verification_token_is_not_a_reset_token(new_user):
    token = email_tokens.verification_token_make(user=new_user)
    assert code_of(lambda: password_reset(token=token, new_password="x-new-passphrase-2")) == (
        "INVALID_TOKEN"
    )


def test_verification_token_for_an_old_address_is_invalid(new_user):
    token = email_tokens.verification_token_make(user=new_user)
    new_user.email = "ada.new@example.com"
    new_user.save()
    assert code_of(lambda: user_verify_email(token=token)) == "INVALID_TOKEN"


# --- password reset ---------------------------------------------------------------------


def test_reset_token_works_once(new_user):
    token = email_tokens.reset_token_make(user=new_user)

    password_reset(token=token, new_password="second-passphrase-2")

    user = User.objects.get()
    assert user.check_password("second-passphrase-2")
    assert code_of(lambda: password_reset(token=token, new_password="third-passphrase-3")) == (
        "INVALID_TOKEN"
    )
    assert User.objects.get().check_password("second-passphrase-2")


def test_reset_token_expires(new_user, move_clock):
    token = email_tokens.reset_token_make(user=new_user)
    lifetime = settings.PASSWORD_RESET_TOKEN_LIFETIME.total_seconds()

    move_clock(lifetime + 1)

    assert code_of(lambda: password_reset(token=token, new_password="second-passphrase-2")) == (
        "TOKEN_EXPIRED"
    )
    assert User.objects.get().check_password("first-passphrase-1")


def test_a_newer_reset_request_spends_older_tokens(new_user, django_capture_on_commit_callbacks):
    from accounts.services import password_reset_request

    old = email_tokens.reset_token_make(user=new_user)
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_request(email="ada@example.com")
    new = email_tokens.reset_token_make(user=User.objects.get())

    assert code_of(lambda: email_tokens.reset_token_check(token=old)) == "INVALID_TOKEN"
    assert email_tokens.reset_token_check(token=new) == new_user


def test_a_password_change_spends_reset_tokens(new_user):
    token = email_tokens.reset_token_make(user=new_user)
    password_change(
        user=new_user,
        old_password="first-passphrase-1",
        new_password="second-passphrase-2",
        current_session_id=None,
    )
    assert code_of(lambda: email_tokens.reset_token_check(token=token)) == "INVALID_TOKEN"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # hash
        lambda t: t.replace(t.split("-")[1], "zzzzzz"),  # timestamp
        lambda t: "0" * 32 + t[32:],  # another user id
        lambda t: t.split("-", 1)[1],  # user id removed
        lambda t: "not-a-token",
        lambda t: t + "-" + "9" * 600,
    ],
)
def test_tampered_reset_token_is_invalid(new_user, tamper):
    token = email_tokens.reset_token_make(user=new_user)
    assert code_of(lambda: password_reset(token=tamper(token), new_password="x-passphrase-22")) == (
        "INVALID_TOKEN"
    )


def test_a_weak_new_password_does_not_spend_the_token(new_user):
    token = email_tokens.reset_token_make(user=new_user)
    assert code_of(lambda: password_reset(token=token, new_password="short")) == (
        "PASSWORD_TOO_WEAK"
    )
    password_reset(token=token, new_password="second-passphrase-2")
    assert User.objects.get().check_password("second-passphrase-2")


def test_reset_marks_the_address_verified(new_user):
    password_reset(token=email_tokens.reset_token_make(user=new_user), new_password="x-pass-22-a")
    assert User.objects.get().email_verified is True


def test_disabled_account_cannot_use_its_tokens(new_user):
    verify = email_tokens.verification_token_make(user=new_user)
    reset = email_tokens.reset_token_make(user=new_user)
    User.objects.filter(pk=new_user.pk).update(is_active=False)
    assert code_of(lambda: user_verify_email(token=verify)) == "INVALID_TOKEN"
    assert code_of(lambda: password_reset(token=reset, new_password="x-pass-22-a")) == (
        "INVALID_TOKEN"
    )


# --- change -----------------------------------------------------------------------------


def test_change_password_needs_the_current_password(new_user):
    def change() -> object:
        return password_change(
            user=new_user,
            old_password="wrong-passphrase",
            new_password="second-passphrase-2",
            current_session_id=None,
        )

    assert code_of(change) == "INVALID_CREDENTIALS"
    assert User.objects.get().check_password("first-passphrase-1")


def test_change_password_is_rate_limited_per_user(new_user):
    def change() -> object:
        return password_change(
            user=new_user,
            old_password="wrong-passphrase",
            new_password="second-passphrase-2",
            current_session_id=None,
        )

    codes = [code_of(change) for _ in range(settings.CHANGE_PASSWORD_ATTEMPTS + 1)]
    assert codes[:-1] == ["INVALID_CREDENTIALS"] * settings.CHANGE_PASSWORD_ATTEMPTS
    assert codes[-1] == "RATE_LIMITED"
    ratelimit.reset("change_password", str(new_user.pk))

"""Account resolution beyond a single request: races, and setting a password later."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.core import mail
from django.db import connection

from accounts.models import RegisterMethod, User
from core.errors import DomainError
from social.google import GoogleIdentity
from social.models import SocialAccount
from social.services import google_user_resolve

IDENTITY = GoogleIdentity(
    issuer="https://accounts.google.com",
    subject="108420000000000000777",
    email="Katherine@Example.com",
    email_verified=True,
    given_name="Katherine",
    family_name="Johnson",
    name="Katherine Johnson",
    expires_at=int(time.time()) + 3600,
)


def _race(target, count: int) -> list[object]:
    barrier = threading.Barrier(count)
    outcomes: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            outcomes.append(target())
        except Exception as exc:  # collected and asserted on below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_sign_ins_of_one_identity_make_one_user_and_one_link():
    # when the same new Google identity signs in from 6 requests at once (a double click,
    # two tabs, a retrying client), each in its own PostgreSQL transaction
    outcomes = _race(lambda: google_user_resolve(identity=IDENTITY).pk, 6)

    # then every request got the same user, and exactly one account and link exist
    assert all(not isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert len(set(outcomes)) == 1
    user = User.objects.get()
    assert user.email == "katherine@example.com"
    assert user.register_method == RegisterMethod.GOOGLE
    assert user.profile.first_name == "Katherine"
    assert SocialAccount.objects.get().user_id == user.pk


@pytest.mark.django_db
def test_a_new_address_that_google_has_not_verified_is_not_signed_up():
    unverified = GoogleIdentity(**{**IDENTITY.__dict__, "email_verified": False})

    with pytest.raises(DomainError) as caught:
        google_user_resolve(identity=unverified)

    assert caught.value.code == "GOOGLE_AUTH_FAILED"
    assert not User.objects.exists()


@pytest.mark.django_db
def test_long_names_are_cut_to_the_profile_limits():
    long = GoogleIdentity(**{**IDENTITY.__dict__, "name": "N" * 300, "given_name": "G" * 300})

    user = google_user_resolve(identity=long)

    assert len(user.profile.display_name) == 50
    assert len(user.profile.first_name) == 150


RESET = "mutation($email: String!) { requestPasswordReset(email: $email) { errors { code } } }"
SET = """
mutation($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) { ok errors { code message } }
}
"""
LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}, transport: BODY) {
    accessToken errors { code }
  }
}
"""


def test_a_google_user_can_set_a_password_through_the_reset_flow(
    gql, django_capture_on_commit_callbacks
):
    # given a user who signed up with Google and has no password
    user = google_user_resolve(identity=IDENTITY)
    assert not user.has_usable_password()
    assert gql(LOGIN, {"email": user.email, "password": "x" * 12}).data["login"]["errors"]

    # when they ask for a reset link and use it
    with django_capture_on_commit_callbacks(execute=True):
        reset = gql(RESET, {"email": user.email})
    assert reset.data["requestPasswordReset"]["errors"] == []
    (message,) = mail.outbox
    match = re.search(r"/reset-password\?token=([^\s\"'<&]+)", str(message.body))
    assert match is not None
    result = gql(SET, {"token": match.group(1), "password": "a-brand-new-passphrase-42"})
    assert result.data["resetPassword"] == {"ok": True, "errors": []}

    # then they can sign in with the password too, and Google still works
    login = gql(LOGIN, {"email": user.email, "password": "a-brand-new-passphrase-42"})
    assert login.data["login"]["errors"] == []
    assert login.data["login"]["accessToken"]
    assert google_user_resolve(identity=IDENTITY).pk == user.pk

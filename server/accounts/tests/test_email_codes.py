"""One-time codes instead of links (`method: CODE`), through /graphql/ and under races.

Tasks run with the immediate backend and the locmem mailer (config/settings_test.py) after
commit, so each requested code is in `mail.outbox`; the codes live in the real Redis.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from accounts import email_codes, services
from accounts.email_codes import CodePurpose
from accounts.models import User
from accounts.tests.conftest import text_part
from api.context import Caller
from core import ratelimit
from core.errors import DomainError
from tokens.models import AuthMethod
from tokens.services import session_start

pytestmark = pytest.mark.usefixtures("transactional_db")

REGISTER = """
mutation Register($email: String!, $password: String!) {
  register(input: {email: $email, password: $password, verificationMethod: CODE}) {
    ok errors { field code }
  }
}
"""
RESEND = """
mutation Resend($email: String!) {
  resendVerificationEmail(email: $email, method: CODE) { ok errors { field code } }
}
"""
VERIFY = """
mutation Verify($email: String!, $code: String!) {
  verifyEmailWithCode(email: $email, code: $code) { ok errors { field code } }
}
"""
REQUEST_RESET = """
mutation RequestReset($email: String!, $method: VerificationMethod) {
  requestPasswordReset(email: $email, method: $method) { ok errors { field code } }
}
"""
RESET = """
mutation Reset($email: String!, $code: String!, $password: String!) {
  resetPasswordWithCode(email: $email, code: $code, newPassword: $password) {
    ok errors { field code }
  }
}
"""
RESET_BY_LINK = """
mutation ResetByLink($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) { ok errors { field code } }
}
"""
REFRESH = """
mutation Refresh($token: String!) {
  refresh(refreshToken: $token, transport: BODY) { accessToken errors { code } }
}
"""
ME = "{ me { email emailVerified } }"
OK = {"ok": True, "errors": []}
INVALID = {"ok": False, "errors": [{"field": "code", "code": "INVALID_CODE"}]}
NEW_PASSWORD = "brand-new-passphrase-2"


def code_in(message: Any) -> str:
    """The one 6-digit code on a line of its own in the message's text part."""
    codes = re.findall(r"^\s+(\d{6})\s*$", text_part(message), flags=re.MULTILINE)
    assert len(codes) == 1, codes
    return str(codes[0])


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def verified(password) -> User:
    return User.objects.create_user("ada@example.com", password, email_verified=True)


@pytest.fixture
def unverified(password) -> User:
    return User.objects.create_user("bob@example.com", password)


def request_reset_code(gql, email: str = "ada@example.com") -> str:
    assert gql(REQUEST_RESET, {"email": email, "method": "CODE"}).data == {
        "requestPasswordReset": OK
    }
    return code_in(mail.outbox[-1])


def forget_cooldowns(email: str) -> None:
    # As if EMAIL_RESEND_COOLDOWN had passed.
    ratelimit.reset("password_reset", email)
    ratelimit.reset("verify_resend", email)


# --- verification ---------------------------------------------------------------------


def test_register_with_code_then_verify_with_it(gql):
    # when
    assert gql(REGISTER, {"email": "new@example.com", "password": "a-long-passphrase-1"}).data == {
        "register": OK
    }

    # then: an email with a code and no link
    (message,) = mail.outbox
    assert message.subject == "Your Gatehouse verification code"
    code = code_in(message)
    assert "token=" not in text_part(message)
    assert code in message.alternatives[0][0]  # type: ignore[attr-defined]
    assert settings.FRONTEND_URL not in text_part(message).split("--")[0]

    # and the code verifies the address once: the same state as a link
    assert gql(VERIFY, {"email": "NEW@example.com", "code": code}).data == {
        "verifyEmailWithCode": OK
    }
    assert User.objects.get().email_verified is True
    assert gql(VERIFY, {"email": "new@example.com", "code": code}).data == {
        "verifyEmailWithCode": INVALID
    }


def test_resend_with_code_verifies_and_a_verified_account_gets_nothing(gql, unverified, verified):
    assert gql(RESEND, {"email": "bob@example.com"}).data == {"resendVerificationEmail": OK}
    assert gql(RESEND, {"email": "ada@example.com"}).data == {"resendVerificationEmail": OK}

    (message,) = mail.outbox
    assert message.to == ["bob@example.com"]
    assert gql(VERIFY, {"email": "bob@example.com", "code": code_in(message)}).data == {
        "verifyEmailWithCode": OK
    }
    unverified.refresh_from_db()
    assert unverified.email_verified is True


def test_a_verification_code_is_not_a_reset_code(gql, unverified):
    gql(RESEND, {"email": "bob@example.com"})
    code = code_in(mail.outbox[0])

    result = gql(RESET, {"email": "bob@example.com", "code": code, "password": NEW_PASSWORD})

    assert result.data == {"resetPasswordWithCode": INVALID}
    # and it still verifies: the reset attempt did not spend it
    assert gql(VERIFY, {"email": "bob@example.com", "code": code}).data == {
        "verifyEmailWithCode": OK
    }


# --- reset ----------------------------------------------------------------------------


def test_reset_with_code_sets_the_password_and_ends_every_session(gql, verified, password):
    # given: two devices signed in
    sessions = [
        session_start(
            user=verified,
            auth_method=AuthMethod.PASSWORD,
            caller=Caller(ip_address="127.0.0.1", user_agent="t"),
        )
        for _ in range(2)
    ]
    code = request_reset_code(gql)
    assert mail.outbox[-1].subject == "Your Gatehouse password reset code"

    # when
    result = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})

    # then: the same outcome as a reset by link
    assert result.data == {"resetPasswordWithCode": OK}
    verified.refresh_from_db()
    assert verified.check_password(NEW_PASSWORD)
    assert mail.outbox[-1].subject == "Your password was changed"
    for session in sessions:
        assert gql(ME, token=session.access_token).error_codes == ["UNAUTHENTICATED"]
        assert gql(REFRESH, {"token": session.refresh_token}).data["refresh"]["errors"] != []
    # used twice: refused, and the password stays
    again = gql(RESET, {"email": "ada@example.com", "code": code, "password": "third-pass-phrase"})
    assert again.data == {"resetPasswordWithCode": INVALID}
    verified.refresh_from_db()
    assert verified.check_password(NEW_PASSWORD)


def test_reset_with_code_verifies_an_unverified_address(gql, unverified):
    code = request_reset_code(gql, "bob@example.com")
    gql(RESET, {"email": "bob@example.com", "code": code, "password": NEW_PASSWORD})
    unverified.refresh_from_db()
    assert unverified.email_verified is True


def test_a_weak_password_does_not_spend_the_code(gql, verified):
    code = request_reset_code(gql)

    weak = gql(RESET, {"email": "ada@example.com", "code": code, "password": "ada@example.com"})
    strong = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})

    assert weak.data == {
        "resetPasswordWithCode": {
            "ok": False,
            "errors": [{"field": "newPassword", "code": "PASSWORD_TOO_WEAK"}],
        }
    }
    assert strong.data == {"resetPasswordWithCode": OK}


def test_wrong_code_is_refused_and_the_right_one_still_works(gql, verified, password):
    code = request_reset_code(gql)

    wrong = gql(
        RESET, {"email": "ada@example.com", "code": other_than(code), "password": NEW_PASSWORD}
    )

    assert wrong.data == {"resetPasswordWithCode": INVALID}
    verified.refresh_from_db()
    assert verified.check_password(password)
    assert gql(
        RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD}
    ).data == {"resetPasswordWithCode": OK}


@pytest.mark.parametrize(
    "garbage", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "9" * 60_000, "12 34 5", "12.34.56"]
)
def test_malformed_codes_are_invalid_codes(gql, verified, garbage):
    request_reset_code(gql)
    result = gql(RESET, {"email": "ada@example.com", "code": garbage, "password": NEW_PASSWORD})
    assert result.data == {"resetPasswordWithCode": INVALID}


FULL_WIDTH = {ord("0") + d: 0xFF10 + d for d in range(10)}  # 0-9 → U+FF10-U+FF19


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: f"{code[:3]} {code[3:]}",
        lambda code: f" {code[:3]}-{code[3:]} ",
        lambda code: f"{code[:2]}\u2013{code[2:4]}\u00a0{code[4:]}",  # en dash, no-break space
        lambda code: code.translate(FULL_WIDTH),
        lambda code: f"{code[:3]}\u3000{code[3:]}".translate(FULL_WIDTH),  # ideographic space
    ],
    ids=["space", "dash", "en-dash-and-nbsp", "full-width", "full-width-with-space"],
)
def test_codes_are_read_as_people_type_them(gql, verified, typed):
    code = request_reset_code(gql)
    result = gql(RESET, {"email": "ada@example.com", "code": typed(code), "password": NEW_PASSWORD})
    assert result.data == {"resetPasswordWithCode": OK}


def test_a_code_that_is_not_six_digits_spends_no_try(gql, verified):
    code = request_reset_code(gql)
    for typo in (code[:5], code + "1", f"{code[:3]} {code[3:5]}", "abc def", ""):
        answer = gql(RESET, {"email": "ada@example.com", "code": typo, "password": NEW_PASSWORD})
        assert answer.data == {"resetPasswordWithCode": INVALID}
    # five typos of length, and every one of the five tries is still there
    for _ in range(email_codes.MAX_ATTEMPTS - 1):
        gql(RESET, {"email": "ada@example.com", "code": other_than(code), "password": "x"})
    right = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})
    assert right.data == {"resetPasswordWithCode": OK}


def test_a_code_that_is_not_six_digits_is_told_so():
    with pytest.raises(DomainError) as refused:
        email_codes.code_spend(purpose=CodePurpose.VERIFY_EMAIL, email="a@example.com", code="123")
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        "INVALID_CODE",
        "code",
        "A code is the 6 digits from the email.",
    )


def test_five_wrong_tries_spend_the_code(gql, verified):
    code = request_reset_code(gql)
    wrong = other_than(code)

    answers = [
        gql(RESET, {"email": "ada@example.com", "code": wrong, "password": NEW_PASSWORD}).data
        for _ in range(email_codes.MAX_ATTEMPTS)
    ]
    right = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})

    assert answers == [{"resetPasswordWithCode": INVALID}] * 5
    assert right.data == {"resetPasswordWithCode": INVALID}
    # a new request gives a fresh code with fresh tries
    forget_cooldowns("ada@example.com")
    fresh = request_reset_code(gql)
    assert gql(
        RESET, {"email": "ada@example.com", "code": fresh, "password": NEW_PASSWORD}
    ).data == {"resetPasswordWithCode": OK}


def test_four_wrong_tries_then_the_right_code_works(gql, verified):
    code = request_reset_code(gql)
    for _ in range(email_codes.MAX_ATTEMPTS - 1):
        gql(RESET, {"email": "ada@example.com", "code": other_than(code), "password": "x"})
    right = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})
    assert right.data == {"resetPasswordWithCode": OK}


def test_an_expired_code_is_refused(gql, verified, monkeypatch):
    code = request_reset_code(gql)
    later = email_codes._now() + settings.EMAIL_CODE_LIFETIME.total_seconds() + 1
    monkeypatch.setattr(email_codes, "_now", lambda: int(later))

    result = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})

    assert result.data == {"resetPasswordWithCode": INVALID}


@override_settings(EMAIL_CODE_LIFETIME=timedelta(seconds=1))
def test_the_code_record_itself_expires_in_redis(gql, verified):
    code = request_reset_code(gql)
    time.sleep(2.1)
    result = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})
    assert result.data == {"resetPasswordWithCode": INVALID}


def test_a_new_request_replaces_the_code_and_the_link(gql, verified):
    link_email = gql(REQUEST_RESET, {"email": "ada@example.com", "method": "LINK"})
    assert link_email.data == {"requestPasswordReset": OK}
    link_token = re.findall(r"token=(\S+)", text_part(mail.outbox[-1]))[0]
    forget_cooldowns("ada@example.com")
    older = newer = request_reset_code(gql)
    while newer == older:  # two random codes are equal one time in a million
        forget_cooldowns("ada@example.com")
        newer = request_reset_code(gql)

    by_older = gql(RESET, {"email": "ada@example.com", "code": older, "password": NEW_PASSWORD})
    by_link = gql(RESET_BY_LINK, {"token": link_token, "password": NEW_PASSWORD})
    assert by_older.data == {"resetPasswordWithCode": INVALID}
    assert by_link.data["resetPassword"]["errors"] == [{"field": "token", "code": "INVALID_TOKEN"}]
    assert gql(
        RESET, {"email": "ada@example.com", "code": newer, "password": NEW_PASSWORD}
    ).data == {"resetPasswordWithCode": OK}


def test_a_link_requested_after_the_code_spends_the_code(gql, verified):
    code = request_reset_code(gql)
    forget_cooldowns("ada@example.com")
    gql(REQUEST_RESET, {"email": "ada@example.com"})  # LINK, the default

    result = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})

    assert result.data == {"resetPasswordWithCode": INVALID}


def test_a_password_change_spends_an_outstanding_code(gql, verified, password):
    code = request_reset_code(gql)
    services.password_change(
        user=verified, old_password=password, new_password=NEW_PASSWORD, current_session_id=None
    )
    result = gql(RESET, {"email": "ada@example.com", "code": code, "password": "third-pass-phrase"})
    assert result.data == {"resetPasswordWithCode": INVALID}


def test_a_disabled_account_cannot_use_its_code(gql, verified):
    code = request_reset_code(gql)
    User.objects.filter(pk=verified.pk).update(is_active=False)
    result = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})
    assert result.data == {"resetPasswordWithCode": INVALID}


# --- no enumeration -------------------------------------------------------------------


def test_unknown_addresses_get_the_same_answers(gql, verified):
    known = gql(REQUEST_RESET, {"email": "ada@example.com", "method": "CODE"})
    unknown = gql(REQUEST_RESET, {"email": "nobody@example.com", "method": "CODE"})
    assert known.response.content == unknown.response.content
    (message,) = mail.outbox
    code = code_in(message)

    # the right code typed for another address, and a guess for an unknown one
    for email in ("nobody@example.com", "ADA@example.com"):
        for guess in (code, other_than(code)):
            if email.lower() == "ada@example.com" and guess == code:
                continue
            result = gql(RESET, {"email": email, "code": guess, "password": NEW_PASSWORD})
            assert result.data == {"resetPasswordWithCode": INVALID}
    wrong_known = gql(VERIFY, {"email": "ada@example.com", "code": other_than(code)})
    unknown_verify = gql(VERIFY, {"email": "nobody@example.com", "code": other_than(code)})
    assert wrong_known.response.content == unknown_verify.response.content

    # inside the cooldown, refused alike
    known_again = gql(REQUEST_RESET, {"email": "ada@example.com", "method": "CODE"})
    unknown_again = gql(REQUEST_RESET, {"email": "nobody@example.com", "method": "CODE"})
    assert known_again.data["requestPasswordReset"]["errors"][0]["code"] == "RATE_LIMITED"
    assert known_again.response.content == unknown_again.response.content


def test_links_and_codes_share_the_cooldown(gql, verified):
    gql(REQUEST_RESET, {"email": "ada@example.com", "method": "LINK"})
    code_request = gql(REQUEST_RESET, {"email": "ada@example.com", "method": "CODE"})
    assert code_request.data["requestPasswordReset"]["errors"] == [
        {"field": "email", "code": "RATE_LIMITED"}
    ]
    assert len(mail.outbox) == 1


def test_null_method_means_a_link(gql, verified):
    assert gql(REQUEST_RESET, {"email": "ada@example.com", "method": None}).data == {
        "requestPasswordReset": OK
    }
    assert "reset-password?token=" in text_part(mail.outbox[0])


# --- limits ---------------------------------------------------------------------------


@override_settings(RATE_LIMITS={"email_code_ip": "3/15m"}, TRUSTED_PROXY_COUNT=1)
def test_code_attempts_are_limited_per_client_ip_across_addresses(gql):
    def attempt(email: str, ip: str) -> list[dict[str, str]]:
        result = gql(VERIFY, {"email": email, "code": "123456"}, headers={"X-Forwarded-For": ip})
        return result.data["verifyEmailWithCode"]["errors"]

    answers = [attempt(f"user{i}@example.com", "198.51.100.1") for i in range(4)]

    assert answers == [[{"field": "code", "code": "INVALID_CODE"}]] * 3 + [
        [{"field": "code", "code": "RATE_LIMITED"}]
    ]
    # another client is not affected
    assert attempt("user9@example.com", "198.51.100.2") == [
        {"field": "code", "code": "INVALID_CODE"}
    ]


@override_settings(RATE_LIMITS={"email_code_email": "7/1h"}, TRUSTED_PROXY_COUNT=1)
def test_code_attempts_are_limited_per_address_across_clients(gql, verified):
    code = request_reset_code(gql)
    for i in range(7):
        forget_cooldowns("ada@example.com")
        gql(
            VERIFY,
            {"email": "ada@example.com", "code": other_than(code)},
            headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
        )
    # the right code, from yet another client: the address has used its attempts
    result = gql(
        RESET,
        {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert result.data["resetPasswordWithCode"]["errors"] == [
        {"field": "code", "code": "RATE_LIMITED"}
    ]


# --- races ----------------------------------------------------------------------------


def _race(count: int, attempt: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(count)
    outcomes: list[object] = []
    lock = threading.Lock()

    def racer() -> None:
        try:
            barrier.wait()
            try:
                outcome: object = attempt()
            except DomainError as exc:
                outcome = str(exc.code)
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=racer) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == count
    return outcomes


def test_two_racers_with_the_right_code_one_wins(gql, verified):
    code = request_reset_code(gql)

    outcomes = _race(
        2,
        lambda: (
            services.password_reset_with_code(
                email="ada@example.com", code=code, new_password=NEW_PASSWORD
            ).pk
        ),
    )

    assert sorted(map(str, outcomes)) == sorted([str(verified.pk), "INVALID_CODE"])
    verified.refresh_from_db()
    # one reset: the counter moved once for the request and once for the reset
    assert verified.password_reset_counter == 2


def test_racing_guesses_compare_at_most_five(verified):
    code = email_codes.code_issue(
        purpose=CodePurpose.PASSWORD_RESET, email="ada@example.com", user_id="u", state="0"
    )
    wrong = other_than(code)

    outcomes = _race(
        12,
        lambda: email_codes.code_spend(
            purpose=CodePurpose.PASSWORD_RESET, email="ada@example.com", code=wrong
        ),
    )

    assert outcomes == ["INVALID_CODE"] * 12
    # twelve racing guesses used up the five tries: the right code is spent too
    with pytest.raises(DomainError) as refused:
        email_codes.code_spend(
            purpose=CodePurpose.PASSWORD_RESET, email="ada@example.com", code=code
        )
    assert str(refused.value.code) == "INVALID_CODE"


def test_many_racers_with_the_right_code_exactly_one_wins(verified):
    code = email_codes.code_issue(
        purpose=CodePurpose.VERIFY_EMAIL, email="ada@example.com", user_id="u", state="s"
    )
    outcomes = _race(
        5,
        lambda: email_codes.code_spend(
            purpose=CodePurpose.VERIFY_EMAIL, email="ada@example.com", code=code
        ),
    )
    assert outcomes.count("INVALID_CODE") == 4
    (holder,) = [o for o in outcomes if o != "INVALID_CODE"]
    assert holder == email_codes.CodeHolder(user_id="u", state="s")


# --- storage and logs -----------------------------------------------------------------


def test_the_code_is_stored_only_as_a_keyed_hash(gql, verified):
    from django_redis import get_redis_connection

    code = request_reset_code(gql)
    redis = get_redis_connection("default")
    keys = list(redis.scan_iter(cache.make_key("*")))
    assert any(b"ecode:" in key for key in keys)
    stored = b"".join(key + (redis.get(key) or b"") for key in keys)
    assert code.encode() not in stored
    assert b"ada@example.com" not in stored


def test_redis_down_while_typing_a_code_is_a_503(gql, verified, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    code = request_reset_code(gql)

    def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("down")

    monkeypatch.setattr("django.core.cache.cache.get", down)
    result = gql(RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD})
    assert result.status == 503
    assert result.error_codes == ["SERVICE_UNAVAILABLE"]
    monkeypatch.undo()
    # nothing was spent
    assert gql(
        RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD}
    ).data == {"resetPasswordWithCode": OK}


def test_no_code_reaches_a_log_line(gql, verified, caplog):
    caplog.set_level(logging.DEBUG)

    gql(REGISTER, {"email": "new@example.com", "password": "a-long-passphrase-1"})
    verify_code = code_in(mail.outbox[-1])
    gql(VERIFY, {"email": "new@example.com", "code": other_than(verify_code)})
    gql(VERIFY, {"email": "new@example.com", "code": verify_code})
    gql(VERIFY, {"email": "new@example.com", "code": verify_code})  # refused: logs nothing of it
    reset_code = request_reset_code(gql)
    gql(RESET, {"email": "ada@example.com", "code": reset_code, "password": "short"})
    gql(RESET, {"email": "ada@example.com", "code": reset_code, "password": NEW_PASSWORD})
    gql(RESET, {"email": "ada@example.com", "code": reset_code, "password": NEW_PASSWORD})

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "email sent" in logged  # the deliveries were logged, so the check sees their lines
    for secret in (verify_code, reset_code, other_than(verify_code), NEW_PASSWORD):
        assert secret not in logged


def test_a_wrong_code_for_a_known_address_runs_what_an_unknown_address_runs(gql, verified):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    code = request_reset_code(gql)
    guesses = {
        "known": {"email": "ada@example.com", "code": other_than(code)},
        "unknown": {"email": "nobody@example.com", "code": other_than(code)},
    }
    statements, answers = {}, {}
    for name, variables in guesses.items():
        with CaptureQueriesContext(db) as queries:
            result = gql(RESET, {**variables, "password": NEW_PASSWORD})
        statements[name] = [q["sql"] for q in queries.captured_queries]
        answers[name] = result.response.content

    # no database read before the code is right, so nothing to tell the two apart
    assert statements["known"] == statements["unknown"] == ["BEGIN", "ROLLBACK"]
    assert answers["known"] == answers["unknown"]


def test_a_code_goes_through_the_worker_and_smtp_and_is_not_in_the_task_table(
    verified, smtp_sink, run_worker
):
    from django_tasks_db.models import DBTaskResult

    from api.testing import GraphQLClient

    gql = GraphQLClient()
    assert gql(REQUEST_RESET, {"email": "ada@example.com", "method": "CODE"}).data == {
        "requestPasswordReset": OK
    }
    assert smtp_sink.inbox == []  # queued, not sent by the request

    run_worker()

    (message,) = smtp_sink.inbox
    code = code_in(message)
    stored = str(list(DBTaskResult.objects.values_list("args_kwargs", "return_value")))
    assert code not in stored
    assert gql(
        RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD}
    ).data == {"resetPasswordWithCode": OK}


def test_a_code_of_the_wrong_length_counts_against_no_limit(gql, verified):
    # given more mistyped codes than the per-IP and per-address limits allow
    code = request_reset_code(gql)
    for _ in range(40):
        result = gql(RESET, {"email": "ada@example.com", "code": "12345", "password": NEW_PASSWORD})
        assert result.data["resetPasswordWithCode"]["errors"][0]["code"] == "INVALID_CODE"
    # then none of them was a guess: the right code is still accepted, without RATE_LIMITED
    assert gql(
        RESET, {"email": "ada@example.com", "code": code, "password": NEW_PASSWORD}
    ).data == {"resetPasswordWithCode": OK}

"""The one table of rate limits (core/ratelimit.py LIMITS), read by the one guard."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings

from core import ratelimit
from core.errors import CoreErrorCode, DomainError

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("action", sorted(ratelimit.LIMITS))
def test_every_action_is_documented_with_its_default(action):
    documented = dict(re.findall(r"([a-z_:]+)=([0-9]+/[0-9]*[smhd]/[a-z]+)", _env_example()))
    assert documented.get(action) == ratelimit.LIMITS[action].spec


def _env_example() -> str:
    return (ROOT / ".env.example").read_text()


def test_the_guard_reads_rate_limits_on_every_check():
    identity = "198.51.100.7"
    with override_settings(RATE_LIMITS={"register_ip": "1/1h"}):
        ratelimit.check("register_ip", identity)
        with pytest.raises(DomainError) as refused:
            ratelimit.check("register_ip", identity)
    assert refused.value.code == CoreErrorCode.RATE_LIMITED
    assert refused.value.message == "Too many sign-ups from your network; try later."
    assert refused.value.retry_after is not None and 0 < refused.value.retry_after <= 3600
    with override_settings(RATE_LIMITS={"register_ip": "3/1h/ip"}):
        ratelimit.check("register_ip", identity)  # the third attempt of three


def test_a_deprecated_setting_still_applies_until_rate_limits_names_the_action():
    identity = "198.51.100.8"
    with override_settings(REGISTRATIONS_PER_IP=1, REGISTRATIONS_IP_WINDOW=timedelta(hours=1)):
        assert ratelimit.rule("register_ip").spec == "1/1h/ip"
        ratelimit.check("register_ip", identity)
        with pytest.raises(DomainError):
            ratelimit.check("register_ip", identity)
        # RATE_LIMITS is the new form: it wins over the old name.
        with override_settings(RATE_LIMITS={"register_ip": "5/1h"}):
            assert ratelimit.rule("register_ip").spec == "5/1h/ip"
            ratelimit.check("register_ip", identity)


def test_a_cooldown_refusal_names_its_field_and_wait():
    with override_settings(RATE_LIMITS={"verify_resend": "1/45s/email"}):
        assert ratelimit.allowed("verify_resend", "ada@example.com")
        assert not ratelimit.allowed("verify_resend", "ada@example.com")
        error = ratelimit.refusal("verify_resend")
    assert (error.field, error.message) == (
        "email",
        "An email was just requested for this address; wait 45 seconds.",
    )


def test_nothing_is_counted_without_an_identity():
    with override_settings(RATE_LIMITS={"register_ip": "1/1h"}):
        for _ in range(3):
            ratelimit.check("register_ip", None)


def test_a_failed_block_gives_back_its_one_attempt_only():
    email = "ada@example.com"
    with override_settings(RATE_LIMITS={"password_reset": "3/1h"}):
        assert ratelimit.allowed("password_reset", email)
        spent = ratelimit.cooldown_spent_on_success("password_reset", email)
        with pytest.raises(RuntimeError), spent:
            raise RuntimeError("the email could not be queued")
        # One attempt used, one given back: two are left, not three (nor one).
        assert ratelimit.allowed("password_reset", email)
        assert ratelimit.allowed("password_reset", email)
        assert not ratelimit.allowed("password_reset", email)


def test_a_cooldown_is_free_again_after_a_failed_block():
    email = "ada@example.com"
    with pytest.raises(RuntimeError), ratelimit.cooldown_spent_on_success("verify_resend", email):
        raise RuntimeError("the email could not be queued")
    with ratelimit.cooldown_spent_on_success("verify_resend", email):
        pass
    with pytest.raises(DomainError):
        ratelimit.check("verify_resend", email)

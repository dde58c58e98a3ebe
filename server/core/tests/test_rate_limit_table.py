"""The one table of rate limits (core/ratelimit.py LIMITS), read by the one guard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from core import ratelimit
from core.errors import CoreErrorCode, DomainError

ROOT = Path(__file__).resolve().parents[3]


def _setting_names() -> set[str]:
    return {
        name
        for limit in ratelimit.LIMITS.values()
        for name in (limit.attempts, limit.window)
        if isinstance(name, str)
    }


@pytest.mark.parametrize("name", sorted(_setting_names()))
def test_every_setting_the_table_names_exists_and_is_documented(name):
    assert hasattr(settings, name)
    assert name in (ROOT / "README.md").read_text()


def test_the_guard_reads_the_setting_on_every_check():
    identity = "198.51.100.7"
    with override_settings(REGISTRATIONS_PER_IP=1, REGISTRATIONS_IP_WINDOW=timedelta(hours=1)):
        ratelimit.check("register_ip", identity)
        with pytest.raises(DomainError) as refused:
            ratelimit.check("register_ip", identity)
    assert refused.value.code == CoreErrorCode.RATE_LIMITED
    assert refused.value.message == "Too many sign-ups from your network; try later."
    assert refused.value.retry_after is not None and 0 < refused.value.retry_after <= 3600
    with override_settings(REGISTRATIONS_PER_IP=3):
        ratelimit.check("register_ip", identity)  # the third attempt of three


def test_a_cooldown_refusal_names_its_field_and_wait():
    with override_settings(EMAIL_RESEND_COOLDOWN=timedelta(seconds=45)):
        assert ratelimit.allowed("verify_resend", "ada@example.com")
        assert not ratelimit.allowed("verify_resend", "ada@example.com")
        error = ratelimit.refusal("verify_resend")
    assert (error.field, error.message) == (
        "email",
        "An email was just requested for this address; wait 45 seconds.",
    )


def test_nothing_is_counted_without_an_identity():
    with override_settings(REGISTRATIONS_PER_IP=1):
        for _ in range(3):
            ratelimit.check("register_ip", None)

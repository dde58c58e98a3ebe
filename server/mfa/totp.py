"""TOTP codes (RFC 6238: SHA-1, 6 digits, 30-second steps, the authenticator apps' default).

A code is accepted for the current step and one step either side (clock skew of ±30 s),
and each step only once per account: the caller records the step it accepted
(`TotpDevice.last_used_step`) with a conditional UPDATE.
"""

from __future__ import annotations

import hmac
import time

import pyotp

from core.codes import digits_tidy

DIGITS = 6
INTERVAL = 30
SKEW_STEPS = 1


def clock() -> float:
    """Now, in unix seconds (tests replace it to move time without sleeping)."""
    return time.time()


def secret_new() -> str:
    """160 random bits in base32 (RFC 4226 recommends at least 128)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(*, secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI that authenticator apps read from a QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account, issuer_name=issuer
    )


def code_clean(code: str) -> str | None:
    """The six digits of `code` (spaces and dashes ignored, as apps show "123 456";
    full-width digits read as digits), or None when it cannot be a code. The one tidying
    of typed codes, shared with the emailed codes (core/codes.py)."""
    return digits_tidy(code, length=DIGITS)


def matching_step(*, secret: str, code: str, at: float) -> int | None:
    """The time step within ±SKEW_STEPS of `at` whose code is `code`, or None.

    Every candidate is compared (in constant time), whichever matches."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = totp.timecode(at)
    found = None
    for step in range(current - SKEW_STEPS, current + SKEW_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found

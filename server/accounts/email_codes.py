"""One-time codes sent by email instead of links, for apps that cannot open deep links.

A code is six random digits (`secrets`), made at send time in the worker like the link
tokens (so no code sits in the task table), and kept only as a keyed HMAC over the purpose,
the normalised address and the code, in the cache (Redis in production) under a key derived
from the purpose and the address, with a TTL of EMAIL_CODE_LIFETIME. A new code for the
same purpose and address replaces the old record, so only the newest works.

Spending a code is made of single atomic cache operations, so it holds under races on
Redis and on the in-process cache alike:

- every attempt first counts itself on a counter of that very code (INCR); beyond
  MAX_ATTEMPTS attempts the code is spent, right or wrong, so at most five guesses are
  ever compared however many requests race;
- a right code is claimed with `SET NX` on a marker of that code: of two racers with the
  right code, exactly one wins; the other gets INVALID_CODE.

A code is tidied as people type it (`665 469`, `665-469`, full-width digits: core/codes.py,
as TOTP codes are) before anything else. What is not six digits once tidied is refused at
once, without spending a try (a typo of length is not a guess): INVALID_CODE saying so.

Unknown addresses, wrong, expired, replaced and spent codes all answer the same
INVALID_CODE on the `code` field, after the same cache round trips.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from accounts.errors import AccountErrorCode
from core.cache import cache_required
from core.codes import digits_tidy
from core.errors import DomainError

CODE_DIGITS = 6
MAX_ATTEMPTS = 5
_SALT = "gatehouse.accounts.email-code"
_INVALID = "This code is wrong or has expired; ask for a new one."
_MALFORMED = f"A code is the {CODE_DIGITS} digits from the email."


class VerificationMethod(StrEnum):
    """How a verification or reset email lets its reader prove they got it."""

    LINK = "link"  # a link to FRONTEND_URL carrying a token (the web client)
    CODE = "code"  # six digits to type into the app (apps without deep links)


class CodePurpose(StrEnum):
    VERIFY_EMAIL = "verify"
    PASSWORD_RESET = "reset"


@dataclass(frozen=True)
class CodeHolder:
    """Who a spent code was sent to, and the account state it was sent for (the address
    for a verification, the reset counter for a reset): the caller checks that state."""

    user_id: str
    state: str


def _now() -> int:
    """Seconds since the epoch; the one clock of this module (tests move it forward)."""
    return int(time.time())


def invalid_code() -> DomainError:
    return DomainError(AccountErrorCode.INVALID_CODE, _INVALID, "code")


def _address_id(purpose: CodePurpose, email: str) -> str:
    # Keys name the address without spelling it out.
    return hashlib.sha256(f"{purpose}:{email}".encode()).hexdigest()[:32]


def _digest(purpose: CodePurpose, email: str, code: str) -> str:
    # Keyed by SECRET_KEY: a copy of the cache alone does not give the codes away (a
    # million candidates would be enough against a plain hash).
    return salted_hmac(_SALT, f"{purpose}:{email}:{code}", algorithm="sha256").hexdigest()


def _lifetime_seconds() -> int:
    return max(1, int(settings.EMAIL_CODE_LIFETIME.total_seconds()))


def code_issue(*, purpose: CodePurpose, email: str, user_id: str, state: str) -> str:
    """A new code for `email` (normalised), replacing any earlier one; returns the code
    for the email body and keeps only its HMAC."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    record = {
        "h": _digest(purpose, email, code),
        "u": user_id,
        "s": state,
        "n": secrets.token_hex(8),  # names this code's attempt counter and spent marker
        "t": _now(),
    }
    with cache_required():
        cache.set(f"ecode:{_address_id(purpose, email)}", record, timeout=_lifetime_seconds())
    return code


def code_tidy(code: str) -> str:
    """The six digits of a typed code (spaces, dashes, full-width digits tidied away), or
    INVALID_CODE saying a code is six digits: refused before any attempt is counted."""
    digits = digits_tidy(code, length=CODE_DIGITS)
    if digits is None:
        raise DomainError(AccountErrorCode.INVALID_CODE, _MALFORMED, "code")
    return digits


def code_spend(*, purpose: CodePurpose, email: str, code: str) -> CodeHolder:
    """Spend the code sent to `email` (normalised) for `purpose`, or raise INVALID_CODE.

    A code that is not six digits once tidied is refused first, spending nothing. Any
    other: the same round trips whatever the outcome: read the record, count the attempt,
    and (only for a right code) claim it.
    """
    code = code_tidy(code)
    address = _address_id(purpose, email)
    with cache_required():
        record = cache.get(f"ecode:{address}")
        nonce = str(record["n"]) if isinstance(record, dict) else "none"
        ttl = _lifetime_seconds()
        tries_key = f"ecode-tries:{address}:{nonce}"
        # An attempt counts before it is compared, so racers cannot compare more than
        # MAX_ATTEMPTS guesses between them.
        if cache.add(tries_key, 1, timeout=ttl):
            tries = 1
        else:
            try:
                tries = int(cache.incr(tries_key))
            except ValueError:  # expired between add and incr: a fresh count
                cache.add(tries_key, 1, timeout=ttl)
                tries = 1
        candidate = _digest(purpose, email, code)
        if (
            not isinstance(record, dict)
            or tries > MAX_ATTEMPTS
            or _now() - int(record["t"]) > ttl
            or not hmac.compare_digest(candidate, str(record["h"]))
        ):
            raise invalid_code()
        # Single use: of two requests with the right code, one claims it.
        if not cache.add(f"ecode-spent:{address}:{nonce}", 1, timeout=ttl):
            raise invalid_code()
    return CodeHolder(user_id=str(record["u"]), state=str(record["s"]))

"""The pending second step of a sign-in, kept in Redis (the cache) for a few minutes.

The client holds an opaque random challenge; the cache holds only its SHA-256, with the
user, the first-factor method and the transport it was started with. A challenge is
consumed by the one caller whose DELETE removes it (two racers: exactly one wins), and
burned after SECOND_FACTOR_CHALLENGE_ATTEMPTS wrong codes, counted with an atomic INCR.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.cache import cache_required

_MAX_LENGTH = 256


@dataclass(frozen=True)
class PendingSignIn:
    user_id: str
    auth_method: str
    transport: str
    expires_at: datetime


def _key(challenge: str) -> str:
    return "mfa:challenge:" + hashlib.sha256(challenge.encode()).hexdigest()


def _failures_key(challenge: str) -> str:
    return _key(challenge) + ":failures"


def _lifetime() -> timedelta:
    value = settings.SECOND_FACTOR_CHALLENGE_LIFETIME
    assert isinstance(value, timedelta)
    return value


def challenge_create(*, user_id: str, auth_method: str, transport: str) -> tuple[str, datetime]:
    """A new challenge for this user's sign-in, and when it expires."""
    challenge = secrets.token_urlsafe(32)
    expires_at = timezone.now() + _lifetime()
    seconds = max(1, int(_lifetime().total_seconds()))
    data = {
        "user_id": user_id,
        "auth_method": auth_method,
        "transport": transport,
        "expires_at": expires_at.isoformat(),
    }
    with cache_required():
        cache.set(_key(challenge), data, timeout=seconds)
    return challenge, expires_at


def challenge_read(challenge: str) -> PendingSignIn | None:
    """The pending sign-in of `challenge`, or None (unknown, expired, used or burned)."""
    if not challenge or len(challenge) > _MAX_LENGTH:
        return None
    with cache_required():
        data = cache.get(_key(challenge))
    if not isinstance(data, dict):
        return None
    return PendingSignIn(
        user_id=data["user_id"],
        auth_method=data["auth_method"],
        transport=data["transport"],
        expires_at=datetime.fromisoformat(data["expires_at"]),
    )


def challenge_consume(challenge: str) -> bool:
    """Spend the challenge; True for exactly one caller (the one whose DELETE removed it)."""
    with cache_required():
        return bool(cache.delete(_key(challenge)))


def challenge_failed(challenge: str) -> None:
    """Count a wrong code against the challenge; the last allowed one burns it."""
    key = _failures_key(challenge)
    seconds = max(1, int(_lifetime().total_seconds()))
    with cache_required():
        if cache.add(key, 1, timeout=seconds):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired in between: the challenge is gone with it
                count = settings.SECOND_FACTOR_CHALLENGE_ATTEMPTS
        if count >= settings.SECOND_FACTOR_CHALLENGE_ATTEMPTS:
            cache.delete(_key(challenge))

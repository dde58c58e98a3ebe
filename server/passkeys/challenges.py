"""WebAuthn challenges: random, short-lived, single use, kept in Redis.

Each challenge is stored under a hash of itself with what it was issued for (registration
or authentication), for whom (when known) and whether user verification is required, and
a TTL of PASSKEY_CHALLENGE_LIFETIME. A response is checked against the challenge it carries
in its clientDataJSON, which is taken out of Redis with one GETDEL before anything else is
checked: whatever the outcome, a challenge is answered at most once, also when two requests
race with the same response.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache

from core.cache import cache_required, raw_redis

# 32 random bytes: the spec asks for at least 16.
CHALLENGE_BYTES = 32
_PREFIX = "passkey:ch:"


class Purpose(StrEnum):
    REGISTRATION = "registration"
    AUTHENTICATION = "authentication"


@dataclass(frozen=True)
class IssuedChallenge:
    """What a challenge was issued for; read back when its response arrives."""

    purpose: Purpose
    user_id: str | None
    user_verification_required: bool


def _key(challenge: bytes) -> str:
    # Hashed, so that a Redis dump holds nothing a response could be built for.
    return _PREFIX + hashlib.sha256(challenge).hexdigest()


_raw_redis = raw_redis


def issue(*, purpose: Purpose, user_id: str | None, user_verification_required: bool) -> bytes:
    """A new challenge, remembered for PASSKEY_CHALLENGE_LIFETIME."""
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    value = json.dumps(
        {"purpose": purpose.value, "user": user_id, "uv": user_verification_required}
    )
    ttl = max(1, int(settings.PASSKEY_CHALLENGE_LIFETIME.total_seconds()))
    redis, prefix = _raw_redis()
    with cache_required():
        if redis is None:
            cache.set(_key(challenge), value, timeout=ttl)
        else:
            redis.set(prefix + _key(challenge), value, ex=ttl)
    return challenge


def consume(challenge: bytes) -> IssuedChallenge | None:
    """Take the challenge out of the store; None when it is unknown, expired or was already
    taken. Only one caller ever gets a given challenge back."""
    key = _key(challenge)
    redis, prefix = _raw_redis()
    with cache_required():
        if redis is None:
            raw = cache.get(key)
            # Without GETDEL: only the caller whose delete removed the key may use it.
            if raw is None or not cache.delete(key):
                return None
        else:
            raw = redis.getdel(prefix + key)
    if raw is None:
        return None
    data = json.loads(raw)
    return IssuedChallenge(
        purpose=Purpose(data["purpose"]),
        user_id=data["user"],
        user_verification_required=bool(data["uv"]),
    )

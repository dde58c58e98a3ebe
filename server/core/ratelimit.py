"""Fixed-window rate limits and cooldowns in the cache (Redis in production).

Each counter key carries a TTL equal to its window, so Redis cleans up after itself.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.cache import cache

from core.events import rate_limit_refused


def _key(scope: str, identity: str) -> str:
    # Identities are emails and IPs: hash them so that no address sits in Redis in clear.
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def hit(scope: str, identity: str, *, limit: int, window: timedelta) -> bool:
    """Count one attempt; return False when the limit for this window is exceeded."""
    key = _key(scope, identity)
    ttl = max(1, int(window.total_seconds()))
    if cache.add(key, 1, timeout=ttl):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=ttl)
        return True
    if count > limit:
        rate_limit_refused.send(None, scope=scope)
        return False
    return True


def cooldown(scope: str, identity: str, *, period: timedelta) -> bool:
    """Return True at most once per period for this identity (atomic `SET NX EX`)."""
    if cache.add(_key(scope, identity), 1, timeout=max(1, int(period.total_seconds()))):
        return True
    rate_limit_refused.send(None, scope=scope)
    return False


def reset(scope: str, identity: str) -> None:
    cache.delete(_key(scope, identity))

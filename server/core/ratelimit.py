"""Fixed-window rate limits and cooldowns in the cache (Redis in production).

Each counter key carries a TTL equal to its window, so Redis cleans up after itself. When
the cache cannot be reached a limit cannot be checked: every function here raises
ServiceUnavailableError then (the API answers 503), rather than letting the attempt through
unchecked or failing with an internal error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta

from django.core.cache import cache

from core.cache import CACHE_DOWN, cache_required
from core.errors import note_retry_after
from core.events import rate_limit_refused


def _refused(scope: str, key: str, window_seconds: int) -> None:
    remaining: int | None = None
    ttl = getattr(cache, "ttl", None)  # django-redis; the in-process cache has none
    if ttl is not None:
        try:
            value = ttl(key)
        except Exception:  # the limit still holds; only the hint is lost
            value = None
        if isinstance(value, int) and value > 0:
            remaining = value
    note_retry_after(remaining or window_seconds)
    rate_limit_refused.send(None, scope=scope)


def _key(scope: str, identity: str) -> str:
    # Identities are emails and IPs: hash them so that no address sits in Redis in clear.
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def hit(scope: str, identity: str, *, limit: int, window: timedelta) -> bool:
    """Count one attempt; return False when the limit for this window is exceeded."""
    key = _key(scope, identity)
    ttl = max(1, int(window.total_seconds()))
    with cache_required():
        if cache.add(key, 1, timeout=ttl):
            return True
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=ttl)
            return True
    if count > limit:
        _refused(scope, key, ttl)
        return False
    return True


def cooldown(scope: str, identity: str, *, period: timedelta) -> bool:
    """Return True at most once per period for this identity (atomic `SET NX EX`)."""
    key, seconds = _key(scope, identity), max(1, int(period.total_seconds()))
    with cache_required():
        if cache.add(key, 1, timeout=seconds):
            return True
    _refused(scope, key, seconds)
    return False


@contextmanager
def cooldown_spent_on_success(scope: str, identity: str, *, period: timedelta) -> Iterator[bool]:
    """`cooldown`, given back when the block fails: a request that ended in an error did
    not do what the cooldown guards (send an email), so it must not cost the user a wait.

    Spent atomically up front (two concurrent requests still cannot both pass); wrap the
    block's own transaction inside, so that a failed commit also gives it back.
    """
    allowed = cooldown(scope, identity, period=period)
    try:
        yield allowed
    except BaseException:
        if allowed:
            _give_back(scope, identity)
        raise


def _give_back(scope: str, identity: str) -> None:
    # The original error matters more; the key expires with its period anyway.
    with suppress(*CACHE_DOWN):
        cache.delete(_key(scope, identity))


def reset(scope: str, identity: str) -> None:
    with cache_required():
        cache.delete(_key(scope, identity))

"""Cache (Redis) failures as one exception the API can answer with 503.

Redis holds the rate limits and the hot copy of the revocations. When it cannot be reached
those cannot be checked, so the operations that need them stop with ServiceUnavailableError
instead of an internal error, and resume by themselves once Redis answers again (redis-py
reopens connections; nothing needs a restart).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import ServiceUnavailableError

# (cache backend object, raw redis client or None, key prefix), per process. The backend
# object changes when settings.CACHES does (tests), which invalidates this.
_backend: tuple[object, Any, str] | None = None


def raw_redis() -> tuple[Any, str]:
    """The redis-py client behind django-redis and the cache's key prefix, for the few
    atomic commands the cache API lacks (MGET with a pipeline, INCR with expiry, GETDEL,
    Lua); (None, prefix) with a cache that is not Redis (the in-process cache of bin/dev),
    where callers fall back to the cache API."""
    global _backend
    current = caches["default"]
    if _backend is None or _backend[0] is not current:
        get_client = getattr(getattr(current, "client", None), "get_client", None)
        client = get_client(write=True) if get_client is not None else None
        _backend = (current, client, current.make_key(""))
    return _backend[1], _backend[2]


# What an unreachable, restarting, or failed-over (read-only replica) Redis raises.
CACHE_DOWN: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ReadOnlyError,
    ConnectionInterrupted,
    OSError,
)


def unavailable() -> ServiceUnavailableError:
    retry_after = max(1, math.ceil(settings.SERVICE_UNAVAILABLE_RETRY_AFTER.total_seconds()))
    return ServiceUnavailableError("cache", retry_after)


@contextmanager
def cache_required() -> Iterator[None]:
    """Turn a cache outage inside the block into ServiceUnavailableError."""
    try:
        yield
    except CACHE_DOWN as exc:
        raise unavailable() from exc

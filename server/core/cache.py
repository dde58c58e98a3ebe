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

from django.conf import settings
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import ServiceUnavailableError

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

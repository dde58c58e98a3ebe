"""Redis: the one cache through which everything reaches Redis, optionally via Sentinel.

The rate limits, the revocation MGET (tokens/revocation.py, through the same client) and
the worker all go through CACHES["default"]. Its connections tell tokens/revocation.py when
they reconnect (core/redis_connections.py).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.settings.environment import env
from core.redis_connections import (
    NotifyingConnection,
    NotifyingSentinelConnection,
    NotifyingSSLConnection,
)

REDIS_URL = env.str("REDIS_URL", "")
# What a request that needs Redis answers while Redis is unreachable: HTTP 503 with
# `Retry-After` of this many seconds.
SERVICE_UNAVAILABLE_RETRY_AFTER = env.duration(
    "SERVICE_UNAVAILABLE_RETRY_AFTER", timedelta(seconds=5)
)
# How long a cached answer of the content queries lives at most, in seconds
# (content/response_cache.py; changes make entries stale at once, this only bounds what an
# unseen change could leave). 0 turns that cache off.
CONTENT_CACHE_TTL = timedelta(seconds=max(0, env.int("CONTENT_CACHE_TTL", 60)))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "gh"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
                # One immediate retry, without backoff: a pooled connection that Redis
                # dropped (restart, idle timeout) is reopened instead of failing the
                # request, and a Redis that is down is answered at once (503).
                "CONNECTION_POOL_KWARGS": {
                    "retry": Retry(NoBackoff(), 1),
                    "connection_class": (
                        NotifyingSSLConnection
                        if REDIS_URL.startswith("rediss:")
                        else NotifyingConnection
                    ),
                },
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Redis Sentinel ---------------------------------------------------------------------


def _sentinel_cache_options() -> tuple[str, dict[str, Any]]:
    from config.redis_sentinel import sentinel_cache_options

    try:
        return sentinel_cache_options(REDIS_URL, REDIS_SENTINELS, REDIS_SENTINEL_MASTER)
    except ValueError as exc:
        raise ImproperlyConfigured(f"REDIS_SENTINELS: {exc}") from exc


# With sentinels, the master's address comes from them (and changes on a failover); the
# database number, user and password still come from REDIS_URL, whose host is ignored.
REDIS_SENTINELS = env.list("REDIS_SENTINELS", [], required=False)
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", "", required=False)
if REDIS_SENTINELS:
    if not REDIS_URL:
        raise ImproperlyConfigured("REDIS_SENTINELS needs REDIS_URL (for the db and password)")
    if not REDIS_SENTINEL_MASTER:
        raise ImproperlyConfigured("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER")
    _location, _sentinel_options = _sentinel_cache_options()
    CACHES["default"]["LOCATION"] = _location
    _options = cast("dict[str, Any]", CACHES["default"]["OPTIONS"])
    _options.update(_sentinel_options)
    _options["CONNECTION_POOL_KWARGS"]["connection_class"] = NotifyingSentinelConnection

"""The cache's connection settings when Redis is found through Sentinel."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote, urlsplit

# The name travels as the host of a URL, which is case-insensitive: keep it unambiguous.
_MASTER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")


def parse_sentinels(entries: list[str]) -> list[tuple[str, int]]:
    sentinels = []
    for entry in entries:
        host, sep, port = entry.strip().rpartition(":")
        host = host.strip("[]")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{entry!r} is not host:port")
        sentinels.append((host, int(port)))
    return sentinels


def sentinel_cache_options(
    redis_url: str, sentinels: list[str], master: str
) -> tuple[str, dict[str, Any]]:
    """(LOCATION, OPTIONS to add) for django-redis: the master by name, through sentinels.

    The plain DefaultClient on a Sentinel pool, not django-redis' SentinelClient: that one
    sends reads to replicas, and a rate-limit counter, a one-time Google state or a
    revocation must be read back from where it was just written.
    """
    if not _MASTER_NAME.fullmatch(master):
        raise ValueError(
            f"REDIS_SENTINEL_MASTER {master!r}: use lower-case letters, digits, '.', '_', '-'"
        )
    parts = urlsplit(redis_url)
    if parts.scheme not in {"redis", "rediss"}:
        raise ValueError("REDIS_URL must be redis:// or rediss://")
    credentials = ""
    if parts.username or parts.password:
        credentials = quote(unquote(parts.username or ""), safe="")
        if parts.password:
            credentials += ":" + quote(unquote(parts.password), safe="")
        credentials += "@"
    database = parts.path.lstrip("/") or "0"
    if not database.isdigit():
        raise ValueError("the database in REDIS_URL must be a number")
    location = f"{parts.scheme}://{credentials}{quote(master, safe='')}/{database}"
    # Each sentinel answers fast or is skipped for the next one.
    sentinel_kwargs: dict[str, Any] = {"socket_timeout": 1, "socket_connect_timeout": 1}
    return location, {
        "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
        "SENTINELS": parse_sentinels(sentinels),
        "SENTINEL_KWARGS": sentinel_kwargs,
    }

"""Redis connections that tell whoever listens when they connect or reconnect.

A reconnection means Redis may have restarted or failed over, and lost writes on the way
(tokens/revocation.py rebuilds its copy from PostgreSQL then). The cache's pool makes its
connections from these classes (config/settings/cache.py); each registers itself through
redis-py's public `register_connect_callback`, which runs after every (re)connect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redis.connection import Connection, SSLConnection
from redis.sentinel import SentinelManagedConnection

Listener = Callable[[Any], None]
_listeners: list[Listener] = []


def on_redis_connect(listener: Listener) -> None:
    """Call `listener(connection)` after every connect of a cache connection."""
    if listener not in _listeners:
        _listeners.append(listener)


class _Notifying:
    """Mixed in before a redis-py connection class: registers the callback at creation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.register_connect_callback(self.notify_connected)  # type: ignore[attr-defined]

    def notify_connected(self, connection: Any) -> None:
        for listener in list(_listeners):
            listener(connection)


class NotifyingConnection(_Notifying, Connection):
    pass


class NotifyingSSLConnection(_Notifying, SSLConnection):
    pass


class NotifyingSentinelConnection(_Notifying, SentinelManagedConnection):
    pass

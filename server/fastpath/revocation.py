"""The revocation check's one Redis round trip, on a connection of each thread's own.

Plain counterpart: `tokens.revocation._mget`, which takes a connection from redis-py's pool
for each MGET. This one keeps a connection per thread outside the pool and its per-command
bookkeeping (checkout, health check, release): on a small signed-in request that is a
measurable share. Everything that decides (the keys, the rules, the rebuild after a
reconnection or a Redis outage) stays in tokens.revocation; this only carries the bytes.
"""

from __future__ import annotations

import threading
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from fastpath.verifier import verify_signature_cached
from tokens.access import check_not_expired
from tokens.revocation import (
    check_access,
    leave_a_demoted_master,
    note_connected,
    note_connection_broken,
)
from tokens.verifier import AccessClaims

_local = threading.local()


def thread_mget(redis: Any, keys: list[str]) -> list[Any]:
    """MGET on this thread's own connection (made from the client's pool settings, but
    never checked in or out of it)."""
    pool = redis.connection_pool
    for attempt in (1, 2):
        conn = getattr(_local, "conn", None)
        if conn is None or getattr(_local, "pool", None) is not pool:
            conn = pool.make_connection()
            _local.conn, _local.pool = conn, pool
        try:
            leave_a_demoted_master(conn, pool)
            if not conn._sock:
                # Through Sentinel, only connect() asks the sentinels where the master is
                # now; send_command on an unconnected connection would dial the URL's host.
                conn.connect()
                note_connected(conn)
            conn.send_command("MGET", *keys)
            return list(conn.read_response())
        except (RedisConnectionError, RedisTimeoutError, OSError):
            conn.disconnect()
            _local.conn = None
            note_connection_broken()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def forget_thread_connection() -> None:
    """Drop this thread's connection (a test standing in for a fresh process)."""
    conn = getattr(_local, "conn", None)
    if conn is not None:
        conn.disconnect()
    _local.conn = None


def verify_and_read(token: str, also: list[str]) -> tuple[AccessClaims, list[Any]]:
    """Verify a bearer token (signature outcome remembered, expiry and revocation checked
    now) and read the keys `also` in the revocation check's round trip."""
    claims = check_not_expired(verify_signature_cached(token))
    return claims, check_access(claims, also=also, mget=thread_mget)


def verify_access_token(token: str) -> AccessClaims:
    """The ACCESS_TOKEN_VERIFIER while the fast path is on: the same checks as
    `tokens.revocation.verify_access_token`, faster."""
    claims, _ = verify_and_read(token, [])
    return claims

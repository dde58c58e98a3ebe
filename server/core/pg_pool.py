"""The connection pool's check before it hands out a PostgreSQL connection, without a
round trip when the connection is quiet.

psycopg_pool's own `ConnectionPool.check_connection`, which Django passes as the pool's
`check` with CONN_HEALTH_CHECKS, sends an empty query on every checkout: one round trip
more on every request that touches PostgreSQL. config/settings/database.py passes
`check_connection` below as the pool's `check` instead (Django's pool only; PgBouncer's
mode has none).

A connection idle in the pool has nothing to read: the server speaks only when asked.
When PostgreSQL drops it (a restart, a failover, an idle timeout, pg_terminate_backend)
the server sends its FATAL message and closes the socket, which then polls readable. So a
socket with anything to read, or that cannot be polled, gets the full check (which reads
what is there and raises if the connection is gone, and the pool replaces it); a quiet one
is handed out as it is. What no check before use can see either way (a peer that vanished
without a word) is left to TCP keepalives, as before.

Imports nothing of Django: the settings module imports it.
"""

from __future__ import annotations

import select
from typing import Any

from psycopg import OperationalError
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool


def socket_quiet(conn: Any) -> bool:
    """True when the connection is open, idle and has nothing waiting to be read."""
    if conn.closed or conn.broken or conn.info.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (OSError, ValueError, OperationalError):
        return False


def check_connection(conn: Any) -> None:
    """The pool's `check`: returns when the connection may be used, raises when not."""
    if not socket_quiet(conn):
        ConnectionPool.check_connection(conn)

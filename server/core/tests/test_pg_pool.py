"""The pool's check (core/pg_pool.py): no round trip for a quiet connection, the full
check for anything else, and a dropped connection is never handed out."""

from __future__ import annotations

import time
from typing import Any

import pytest
from psycopg import OperationalError
from psycopg_pool import ConnectionPool

from core.pg_pool import check_connection, socket_quiet
from core.tests.pg import connect, terminate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def full_checks(monkeypatch) -> list[Any]:
    """Every call of the full check (the empty query), still made."""
    calls: list[Any] = []
    original = ConnectionPool.check_connection

    def counted(conn: Any) -> None:
        calls.append(conn)
        original(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counted))
    return calls


def wait_readable(conn: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while socket_quiet(conn):
        assert time.monotonic() < deadline, "the dropped connection never became readable"
        time.sleep(0.01)


def test_a_quiet_idle_connection_is_handed_out_without_a_query(full_checks):
    with connect(autocommit=True) as conn:
        conn.execute("SELECT 1").fetchone()

        check_connection(conn)

        assert full_checks == []
        assert conn.execute("SELECT 2").fetchone() == (2,)


def test_a_connection_the_server_dropped_is_refused(full_checks):
    with connect(autocommit=True, application_name="gatehouse-pool-check") as conn:
        conn.execute("SELECT 1").fetchone()
        # when: PostgreSQL terminates its backend (a restart or failover does the same)
        assert terminate("application_name = 'gatehouse-pool-check'") == 1
        wait_readable(conn)

        # then: the full check runs and raises, so the pool replaces the connection
        with pytest.raises(OperationalError):
            check_connection(conn)
        assert full_checks == [conn]


def test_a_live_connection_with_something_to_read_gets_the_full_check(full_checks):
    with connect(autocommit=True) as conn, connect(autocommit=True) as other:
        conn.execute("LISTEN gatehouse_pool_check")
        # given: the server sent something unasked (a notification; a notice would do)
        other.execute("NOTIFY gatehouse_pool_check")
        wait_readable(conn)

        check_connection(conn)  # reads it, and the connection is fine

        assert full_checks == [conn]
        assert socket_quiet(conn)


def test_a_closed_connection_is_refused(full_checks):
    conn = connect(autocommit=True)
    conn.close()

    with pytest.raises(OperationalError):
        check_connection(conn)


def test_a_pool_whose_connections_were_all_dropped_hands_out_live_ones():
    params = connect().info.get_parameters()
    conninfo = f"dbname={params['dbname']} user={params['user']} host=127.0.0.1"
    pool = ConnectionPool(
        conninfo,
        kwargs={"autocommit": True, "application_name": "gatehouse-pool-all"},
        min_size=2,
        max_size=2,
        check=check_connection,
        open=True,
    )
    try:
        pool.wait(timeout=10)
        held = [pool.getconn(), pool.getconn()]
        for conn in held:
            conn.execute("SELECT 1")
            pool.putconn(conn)
        assert terminate("application_name = 'gatehouse-pool-all'") == 2
        for conn in held:
            wait_readable(conn)

        for _ in range(4):
            with pool.connection(timeout=10) as conn:
                assert conn.execute("SELECT 42").fetchone() == (42,)
    finally:
        pool.close()

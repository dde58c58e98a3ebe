"""Cutting this test's own PostgreSQL connections, as a restart or failover would.

Only backends of the test process's own database (`test_gatehouse_<pid>`) are ever
terminated; other test runs share the server.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connection


def connect(**kwargs: Any) -> psycopg.Connection[Any]:
    """A connection of the test's own to the test database, outside Django's pool."""
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        host=params["HOST"],
        port=params["PORT"] or 5432,
        password=params["PASSWORD"] or None,
        **kwargs,
    )


def terminate(where: str = "TRUE", params: tuple[Any, ...] = ()) -> int:
    """Terminate backends of the test database (never the one doing it); how many."""
    with connect(autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = current_database() AND pid <> pg_backend_pid() AND ({where})",
            params,
        ).fetchall()
    return sum(1 for (done,) in rows if done)

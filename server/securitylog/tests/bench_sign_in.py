"""What the security log costs a sign-in (not part of the suite; run it by path):

    uv run pytest -q -s server/securitylog/tests/bench_sign_in.py

Prints SQL statements and the median latency of `login` (Django test client, in process,
PostgreSQL and Redis on 127.0.0.1, the fast test hasher) with the log's receiver connected
and disconnected, alternating so that a slow spell of the machine hits both.
"""

from __future__ import annotations

import statistics
import time

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from core.events import security_event
from securitylog.receivers import record_security_event
from securitylog.tests.test_security_log import LOGIN

ROUNDS = 60
pytestmark = pytest.mark.usefixtures("transactional_db")


@override_settings(LOGIN_RATE_LIMIT_PER_IP=10_000)
def test_sign_in_with_and_without_the_log(gql, user, password):
    def login() -> float:
        started = time.perf_counter()
        result = gql(LOGIN, {"email": "ada@example.com", "password": password})
        elapsed = (time.perf_counter() - started) * 1000
        assert result.data["login"]["errors"] == []
        return elapsed

    login()  # warm up; and the first sign-in is not the common case
    samples: dict[bool, list[float]] = {True: [], False: []}
    statements: dict[bool, int] = {}
    for _ in range(ROUNDS):
        for connected in (True, False):
            if not connected:
                security_event.disconnect(dispatch_uid="securitylog.record_security_event")
            try:
                with CaptureQueriesContext(connection) as queries:
                    samples[connected].append(login())
                statements[connected] = len(queries.captured_queries)
            finally:
                if not connected:
                    security_event.connect(
                        record_security_event, dispatch_uid="securitylog.record_security_event"
                    )
    for connected in (True, False):
        label = "with the log   " if connected else "without the log"
        print(
            f"\nlogin {label}: {statistics.median(samples[connected]):.2f} ms median, "
            f"{statements[connected]} SQL statements",
            end="",
        )

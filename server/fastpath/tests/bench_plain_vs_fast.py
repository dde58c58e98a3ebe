"""Figures: the plain and the fast stack side by side (not part of the suite; run it by path):

    uv run pytest -q -s server/fastpath/tests/bench_plain_vs_fast.py

In one process (Django test client, PostgreSQL and Redis on 127.0.0.1), both stacks of
config/tests/test_fast_path.py answer the same requests, interleaved in rounds so that load
drifting on a shared machine hits both alike: a signed-in `me`, the articles page (20, as a
subscriber) and `refresh` (BODY, a fresh token each time). Prints the median ms per request
and the SQL statements of one request; every answer is checked.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection

from accounts.models import User
from config.tests.test_fast_path import ARTICLES, answer, signed_in, stack
from membership.tests.fixtures import make_article, make_plan, make_subscription
from tokens.tests.helpers import ME, REFRESH

ROUNDS, PER_ROUND = 7, 40


def _statements(run: Any) -> int:
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    return len(seen)


def test_plain_and_fast_figures(user: User, password: str):
    for n in range(30):
        make_article(f"a{n}", tier=n % 3, days_ago=n + 1)
    make_subscription(user, make_plan("pro", tier=2))
    timings: dict[tuple[str, str], list[float]] = {}
    statements: dict[tuple[str, str], int] = {}
    for _ in range(ROUNDS):
        for name in ("plain", "fast"):
            with stack(name) as client:
                tokens = signed_in(client, password)
                access, refresh = tokens["accessToken"], tokens["refreshToken"]

                def me(client: Any = client, access: str = access) -> None:
                    body = answer(client, {"query": ME}, access)["body"]
                    assert body["data"]["me"]["email"] == user.email, body

                def articles(client: Any = client, access: str = access) -> None:
                    variables = {"first": 20}
                    body = answer(client, {"query": ARTICLES, "variables": variables}, access)
                    edges = body["body"]["data"]["articles"]["edges"]
                    assert len(edges) == 20 and all(e["node"]["body"] for e in edges)

                def rotate(client: Any = client) -> None:
                    nonlocal refresh
                    variables = {"token": refresh, "transport": "BODY"}
                    body = answer(client, {"query": REFRESH, "variables": variables})["body"]
                    refresh = body["data"]["refresh"]["refreshToken"]
                    assert refresh, body

                for label, run in (("me", me), ("articles", articles), ("refresh", rotate)):
                    run()  # warm
                    statements[(name, label)] = _statements(run)
                    started = time.perf_counter()
                    for _ in range(PER_ROUND):
                        run()
                    elapsed = (time.perf_counter() - started) / PER_ROUND * 1000
                    timings.setdefault((name, label), []).append(elapsed)
    print(f"\n{'request':10} {'plain ms':>9} {'fast ms':>9} {'fast/plain':>10}  SQL plain/fast")
    for label in ("me", "articles", "refresh"):
        plain = statistics.median(timings[("plain", label)])
        fast = statistics.median(timings[("fast", label)])
        print(
            f"{label:10} {plain:9.2f} {fast:9.2f} {fast / plain:10.2f}  "
            f"{statements[('plain', label)]}/{statements[('fast', label)]}"
        )

"""Figures for the articles page (not part of the suite; run it by path):

    .venv/bin/pytest -q -s server/content/tests/bench_articles_page.py

Prints SQL statements and mean latency per request (Django test client, in process,
PostgreSQL and Redis on 127.0.0.1) for pages of 5, 50 and 100 articles, anonymous and as
a subscriber.
"""

from __future__ import annotations

import time

from content.tests.test_gating import ARTICLES, sql_statements
from membership.tests.fixtures import make_article, make_plan, make_subscription

RUNS = 30


def test_articles_page_figures(gql, user, access_token):
    for n in range(120):
        make_article(f"a{n}", tier=n % 3, days_ago=n + 1)
    make_subscription(user, make_plan("pro", tier=2))
    gql(ARTICLES, {"first": 5}, token=access_token)  # warm caches
    counts = set()
    for who, token in (("anonymous", None), ("subscriber", access_token)):
        for first in (5, 50, 100):
            with sql_statements() as seen:
                result = gql(ARTICLES, {"first": first}, token=token)
            assert len(result.data["articles"]["edges"]) == first
            started = time.perf_counter()
            for _ in range(RUNS):
                gql(ARTICLES, {"first": first}, token=token)
            mean_ms = (time.perf_counter() - started) / RUNS * 1000
            counts.add((who, len(seen)))
            print(
                f"\n{who:10} first={first:3}: {len(seen)} SQL statements, "
                f"{mean_ms:6.1f} ms/request (mean of {RUNS})",
                end="",
            )
    assert counts == {("anonymous", 2), ("subscriber", 4)}

"""Where the time of the articles page goes: pyinstrument over BENCH_REQUESTS (200)
requests of the page (20 articles with bodies, for a viewer whose subscription grants the
top tier), in process through Django's test client with the production settings
(DJANGO_ENV=production) against a throw-away PostgreSQL database seeded by seed.py and
seed_content.py, and real Redis (bench/stack.py).

    uv run python bench/profile_articles.py

The plain path is profiled: the shared content cache (content/response_cache.py) is off
(CONTENT_CACHE_TTL=0), else every request after the first would be a stored answer.
BENCH_PROFILE_CACHED=1 profiles with it on (the answers then come from Redis).

Prints the mean latency, the SQL statements of one request, pyinstrument's call tree
(library frames folded; BENCH_PROFILE_ALL=1 shows them), the frames with the most self time
and the time by layer: each sample is charged to the innermost frame that belongs to a
known layer (database round-trips, Django ORM, JSON encoding, Relay connection, optimizer,
resolvers, entitlement, graphql-core, Strawberry, Django). BENCH_PROFILE_HTML=path also
writes pyinstrument's HTML report there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
QUERY = (
    "{ articles(first: 20) { edges { node { slug title summary premium locked body } } "
    "pageInfo { hasNextPage endCursor } } }"
)

# (layer, substrings of a frame's file path or function); the first match wins, and a
# sample goes to the innermost frame that matches any layer.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("database round-trips (psycopg, pool)", ("/psycopg",)),
    ("Django ORM (building, compiling SQL, model instances)", ("/django/db/",)),
    ("JSON encoding", ("/json/", "orjson", "/strawberry/http/")),
    ("entitlement checks", ("/membership/entitlement", "/membership/selectors")),
    ("our per-field resolvers", ("/content/schema/types.py",)),
    (
        "Relay connection machinery",
        ("/strawberry_django/relay", "/strawberry/relay/", "/strawberry_django/pagination"),
    ),
    ("strawberry_django optimizer", ("/strawberry_django/optimizer",)),
    ("strawberry_django field resolution", ("/strawberry_django/",)),
    ("graphql-core execution", ("/graphql/",)),
    ("Strawberry schema / extensions / views", ("/strawberry/",)),
    ("authentication (tokens, Redis)", ("/tokens/", "/redis/", "/django_redis/")),
    ("Gatehouse api/core/observability", ("/server/api/", "/server/core/", "/observability/")),
    ("Django request handling, middleware", ("/django/",)),
)
OUTSIDE = "other (test client, interpreter, stdlib)"


def layer_of(frame) -> str | None:
    where = f"{frame.file_path or ''} {frame.function or ''}"
    for name, needles in LAYERS:
        if any(needle in where for needle in needles):
            return name
    return None


def by_layer(root) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    stack = [(root, OUTSIDE)]
    while stack:
        frame, inherited = stack.pop()
        layer = layer_of(frame) or inherited
        own = frame.time - sum(child.time for child in frame.children)
        totals[layer] += max(own, 0.0)
        stack.extend((child, layer) for child in frame.children)
    return totals


def child(workdir: Path) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    token = (workdir / "access_token.txt").read_text().strip()
    client = Client(HTTP_HOST="127.0.0.1")
    payload = json.dumps({"query": QUERY})
    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"}

    def page():
        return client.post(
            "/graphql/", data=payload, content_type="application/json", headers=headers
        )

    response = page()
    edges = response.json()["data"]["articles"]["edges"]
    bodies = [e["node"]["body"] for e in edges]
    if len(edges) != 20 or not all(b and b.startswith("BENCH-BODY-") for b in bodies):
        sys.exit(f"the page did not return 20 bodies: {response.content[:500]!r}")
    if not any(e["node"]["premium"] for e in edges):
        sys.exit("the page has no premium article; the entitlement path is not exercised")
    for _ in range(20):  # warm up
        page()
    statements: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - started) * 1000, sql))

    # A wrapper and not CaptureQueriesContext: request_started resets the queries log.
    with connection.execute_wrapper(record):
        page()
    started = time.perf_counter()
    for _ in range(REQUESTS):
        page()
    plain_ms = (time.perf_counter() - started) / REQUESTS * 1000

    parts = unprofiled_parts(client, headers, response)

    profiler = Profiler(interval=0.001)
    profiler.start()
    for _ in range(REQUESTS):
        page()
    profiler.stop()
    session = profiler.last_session
    root = session.root_frame()

    print(f"\nload average {os.getloadavg()[0]:.1f} (nproc {os.cpu_count()}; shared machine)")
    print(
        f"articles page, {len(response.content)} bytes: {plain_ms:.2f} ms/request "
        f"(mean of {REQUESTS}, unprofiled)"
    )
    print("parts, unprofiled (mean ms of 200 calls each):")
    for name, ms in parts.items():
        print(f"  {ms:6.2f} ms  {name}")
    print(f"SQL statements of one request ({len(statements)}):")
    for elapsed, sql in statements:
        print(f"  {elapsed:6.2f} ms  {sql[:150]}")
    print()
    show_all = bool(os.environ.get("BENCH_PROFILE_ALL"))
    print(
        profiler.output_text(unicode=True, color=False, show_all=show_all, time="percent_of_total")
    )
    flat = profiler.output_text(unicode=True, color=False, flat=True, time="percent_of_total")
    print("frames by self time (top 25):")
    print("\n".join([line for line in flat.splitlines() if "%" in line][:25]))
    totals = by_layer(root)
    whole = sum(totals.values()) or 1.0
    print(
        f"time by layer (innermost known frame; {REQUESTS} profiled requests; ms = share of "
        f"the unprofiled {plain_ms:.2f} ms, as the profiler slows Python code down):"
    )
    for name, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {seconds / whole:6.1%}  ~{seconds / whole * plain_ms:5.2f} ms  {name}")
    if os.environ.get("BENCH_PROFILE_HTML"):
        Path(os.environ["BENCH_PROFILE_HTML"]).write_text(profiler.output_html())


def mean_ms(call, runs: int = 200) -> float:
    started = time.perf_counter()
    for _ in range(runs):
        call()
    return (time.perf_counter() - started) / runs * 1000


def unprofiled_parts(client, headers, response) -> dict[str, float]:
    """Pieces of the page timed on their own, to size the levers."""
    from django.db import connection

    from accounts.models import User
    from content.selectors import article_list_published
    from membership.entitlement import access_for_user, granting_subscription

    user = User.objects.get(email="bench@example.com")
    data = response.json()

    def typename():
        client.post(
            "/graphql/",
            data='{"query":"{ __typename }"}',
            content_type="application/json",
            headers=headers,
        )

    def raw_page():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, slug, title, summary, body, required_tier, published_at "
                "FROM content_article WHERE published_at IS NOT NULL AND published_at <= now() "
                "ORDER BY published_at DESC, id DESC LIMIT 21"
            )
            cursor.fetchall()

    return {
        "signed-in `{ __typename }` request (the floor: middleware, token, view)": mean_ms(
            typename
        ),
        "granting_subscription (the entitlement query, ORM)": mean_ms(
            lambda: granting_subscription(user)
        ),
        "access_for_user (same, plus the Access object)": mean_ms(lambda: access_for_user(user)),
        "21 published articles through the ORM (list(queryset[:21]))": mean_ms(
            lambda: list(article_list_published()[:21])
        ),
        "21 published articles, raw SQL on the same connection": mean_ms(raw_page),
        "json.dumps of the page's response": mean_ms(lambda: json.dumps(data)),
    }


def main() -> None:
    from stack import BENCH, PYTHON, ROOT, Stack, log

    # The server environment drops BENCH_* variables; the seeding and profiling knobs pass.
    knobs = {k: v for k, v in os.environ.items() if k.startswith("BENCH_")}
    with Stack() as stack:
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", (BENCH / "seed_content.py").read_text()],
            cwd=ROOT,
            env={**stack.env, **knobs},
            check=True,
        )
        log(f"profiling {REQUESTS} requests of the articles page in process")
        cached = os.environ.get("BENCH_PROFILE_CACHED") == "1"
        subprocess.run(
            [PYTHON, str(Path(__file__).resolve()), "--child", str(stack.workdir)],
            cwd=ROOT,
            env={**stack.env, **knobs, **({} if cached else {"CONTENT_CACHE_TTL": "0"})},
            check=True,
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]))
    else:
        main()

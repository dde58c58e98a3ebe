"""13.3: counts add up across two real gunicorn workers (prometheus-client multiprocess)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from accounts.models import User
from api.testing import post_graphql as post
from observability.tests.scrape import Scrape
from observability.tests.servers import Gunicorn, get
from tokens.tests.helpers import LOGIN

PASSWORD = "correct-horse-battery-9"
TOKEN = "metrics-token-0123456789"


def json_lines(path: Path) -> list[dict]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    # every line the server wrote, gunicorn's own included, is one JSON object
    return [json.loads(line) for line in lines]


def scrape(base: str) -> Scrape:
    status, text = get(base, "/metrics", TOKEN)
    assert status == 200, text
    return Scrape(text)


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    # left by an earlier run: on_starting must not add it to this one's counts
    (metrics_dir / "counter_99999.db").write_bytes(b"\0" * 16)
    log = (tmp_path / "gunicorn.log").open("w+")
    server = Gunicorn(
        tmp_path,
        log,
        workers=2,
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        METRICS_TOKEN=TOKEN,
        LOG_FORMAT="json",
    )
    try:
        server.wait()
        yield server, metrics_dir, tmp_path / "gunicorn.log"
    finally:
        server.stop()
        log.close()


def test_counts_add_up_across_two_gunicorn_workers(gunicorn):
    server, metrics_dir, log = gunicorn
    assert not (metrics_dir / "counter_99999.db").exists()
    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)

    def sign_in(n: int) -> list:
        email = "ada@example.com" if n % 2 else f"nobody{n}@example.com"
        variables = {"email": email, "password": PASSWORD, "transport": "BODY"}
        return post(server.base, LOGIN, variables)["data"]["login"]["errors"]

    # 16 sign-ins, 4 at a time, so that both workers serve some
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(sign_in, range(16)))
    assert sum(1 for errors in results if not errors) == 8

    requests = [line for line in json_lines(log) if line["logger"] == "gatehouse.request"]
    served_by = {line["pid"] for line in requests if line.get("operation") == "Login"}
    assert len(served_by) == 2, "both workers should have served sign-ins"

    metrics = scrape(server.base)
    assert metrics.value("gatehouse_sign_ins_total", method="password", result="ok") == 8
    assert (
        metrics.value("gatehouse_sign_ins_total", method="password", result="invalid_credentials")
        == 8
    )
    latency = "gatehouse_graphql_request_duration_seconds_count"
    assert metrics.value(latency, operation="Login") == 16
    # each worker's pool, summed over the live workers
    assert metrics.value("gatehouse_db_pool_connections", state="max") == 8

    # a worker dies: its counts stay, its live gauges go, gunicorn starts another
    victim = served_by.pop()
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while any(str(victim) in path.name for path in metrics_dir.glob("gauge_livesum_*")):
        assert time.monotonic() < deadline, "child_exit did not retire the dead worker"
        time.sleep(0.2)
    metrics = scrape(server.base)
    assert metrics.value("gatehouse_sign_ins_total", method="password", result="ok") == 8
    assert metrics.value(latency, operation="Login") == 16
    assert metrics.value("gatehouse_db_pool_connections", state="max") <= 8
    json_lines(log)


def test_the_operation_label_stays_a_closed_set_across_two_workers(gunicorn):
    # A cap per worker let each one take in its own first names: 300 made-up names over 2
    # workers gave 197 labels. The labels are now the same closed set in every worker.
    from observability.metrics import known_operation_names

    server, _, log = gunicorn
    names = [f"Made_up_{n}_{secrets.token_hex(4)}" for n in range(300)]

    def ask(name: str) -> None:
        assert post(server.base, f"query {name} {{ __typename }}")["data"] == {
            "__typename": "Query"
        }

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(ask, names))
    post(server.base, "query Articles { __typename }")

    requests = [line for line in json_lines(log) if line["logger"] == "gatehouse.request"]
    assert len({line["pid"] for line in requests if line.get("operation") in names}) == 2
    metrics = scrape(server.base)
    latency = "gatehouse_graphql_request_duration_seconds_count"
    found = {labels["operation"] for name, labels, _ in metrics.samples if name == latency}
    assert found <= known_operation_names() | {"other"}
    assert metrics.value(latency, operation="other") == 300
    assert metrics.value(latency, operation="Articles") == 1
    # two labels: a few dozen series of the GraphQL metrics, not thousands
    series = [name for name, _, _ in metrics.samples if name.startswith("gatehouse_graphql_")]
    assert len(series) < 100

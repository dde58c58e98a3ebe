"""Prometheus metrics, correct across gunicorn workers.

With PROMETHEUS_MULTIPROC_DIR set in the environment before the process starts,
prometheus-client keeps every worker's values in files there and a scrape of any worker
adds them up (observability/gunicorn_hooks.py wipes the folder at start and retires a
dead worker's gauges). Without it (one process, tests) the values live in the process.

Domain counts come from core.events signals, so domains never import this module. The
email queue is read from PostgreSQL at scrape time, so it is right whichever process
answers.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, connections
from graphql import GraphQLError, OperationDefinitionNode, build_schema, parse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from core import events

logger = logging.getLogger(__name__)

REQUEST_LATENCY = Histogram(
    "gatehouse_graphql_request_duration_seconds",
    "GraphQL requests by operation name: time from the first middleware to the response.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REQUESTS = Counter(
    "gatehouse_graphql_requests",
    "GraphQL requests by operation name and outcome (ok, or error when any error code).",
    ["operation", "outcome"],
)
ERRORS = Counter(
    "gatehouse_graphql_errors",
    "Error codes answered: payload errors (as selected by the client) and top-level ones.",
    ["code"],
)
RESPONSES = Counter("gatehouse_http_responses", "HTTP responses by status code.", ["status"])
SIGN_INS = Counter(
    "gatehouse_sign_ins",
    "Sign-in attempts by method (password, google) and result (ok or the error code).",
    ["method", "result"],
)
REFRESH_REUSE = Counter(
    "gatehouse_refresh_token_reuse",
    "Spent refresh tokens presented again outside the grace window (session ended).",
)
RATE_LIMIT_REFUSALS = Counter(
    "gatehouse_rate_limit_refusals", "Attempts refused by a rate limit, by scope.", ["scope"]
)
DB_POOL_CONNECTIONS = Gauge(
    "gatehouse_db_pool_connections",
    "Django's PostgreSQL pool after the last request, summed over live workers.",
    ["state"],
    multiprocess_mode="livesum",
)
DB_POOL_WAITING = Gauge(
    "gatehouse_db_pool_requests_waiting",
    "Requests waiting for a pooled connection, summed over live workers.",
    multiprocess_mode="livesum",
)
DB_POOL_WAIT = Counter(
    "gatehouse_db_pool_wait_seconds", "Time requests spent waiting for a pooled connection."
)
DB_POOL_ERRORS = Counter(
    "gatehouse_db_pool_errors",
    "Pool failures: requests that timed out waiting, connections that failed or were lost.",
    ["kind"],
)

# --- labels ------------------------------------------------------------------------------

# Operation names come from clients. A label is only ever a name from a closed set fixed
# by the code and the configuration, the same in every worker, so that no client can grow
# the metrics however many names it sends and however many processes count them (a cap per
# process let each worker take in its own first names): the root fields of the schema, as
# they are and with a capital first letter (this project's clients name an operation after
# its root field: `mutation Login { login … }`), and the operation names of the trusted
# documents (GRAPHQL_TRUSTED_DOCUMENTS) when there are some. Any other name is `other`.
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")


_schema_names: frozenset[str] = frozenset()


def know_schema(sdl: str) -> None:
    """Take the root fields of the served schema (Query, Mutation, Subscription), in both
    spellings, as labels. Called by the composition root (config/schema.py) once the
    schema is built: this package sits below every domain and never imports the schema."""
    global _schema_names
    printed = build_schema(sdl)
    roots = (printed.query_type, printed.mutation_type, printed.subscription_type)
    fields = [name for root in roots if root is not None for name in root.fields]
    _schema_names = frozenset(fields) | {name[:1].upper() + name[1:] for name in fields}


def _schema_operation_names() -> frozenset[str]:
    return _schema_names


# (the trusted documents' map, the operation names in it): read again only when the setting
# is another map (tests change it).
_trusted: tuple[object, frozenset[str]] | None = None


def _trusted_operation_names() -> frozenset[str]:
    global _trusted
    documents: dict[str, str] | None = settings.GRAPHQL_TRUSTED_DOCUMENTS
    if not documents:
        return frozenset()
    if _trusted is None or _trusted[0] is not documents:
        names: set[str] = set()
        for document in documents.values():
            try:
                parsed = parse(document, no_location=True)
            except GraphQLError:
                continue  # never runs either: it cannot be a request's operation
            names.update(
                definition.name.value
                for definition in parsed.definitions
                if isinstance(definition, OperationDefinitionNode) and definition.name
            )
        _trusted = (documents, frozenset(names))
    return _trusted[1]


def known_operation_names() -> frozenset[str]:
    """Every operation name that is its own label; any other is `other`."""
    return _schema_operation_names() | _trusted_operation_names()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _NAME.fullmatch(name):
        return "invalid"
    if name in _schema_operation_names() or name in _trusted_operation_names():
        return name
    return "other"


# Error codes are the schema's ErrorCode values and the top-level codes; anything else a
# response might carry is folded into one label.
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


def observe_graphql(operation: str | None, seconds: float, error_codes: Iterable[str]) -> None:
    label = operation_label(operation)
    codes = list(error_codes)
    REQUEST_LATENCY.labels(label).observe(seconds)
    REQUESTS.labels(label, "error" if codes else "ok").inc()
    for code in codes:
        ERRORS.labels(code if _CODE.fullmatch(code) else "OTHER").inc()


def observe_response(status: int) -> None:
    RESPONSES.labels(str(status)).inc()


# --- domain events -----------------------------------------------------------------------


def _on_sign_in(sender: Any, *, method: str, result: str, **kwargs: Any) -> None:
    SIGN_INS.labels(method, result).inc()


def _on_refresh_reuse(sender: Any, **kwargs: Any) -> None:
    REFRESH_REUSE.inc()


def _on_rate_limited(sender: Any, *, scope: str, **kwargs: Any) -> None:
    RATE_LIMIT_REFUSALS.labels(scope).inc()


def _sample_pool(sender: Any, **kwargs: Any) -> None:
    # After Django's own request_finished receiver has given the connection back.
    connection = connections["default"]
    if not connection.settings_dict.get("OPTIONS", {}).get("pool"):
        return
    pool = getattr(connection, "pool", None)
    if pool is None:
        return
    stats = pool.pop_stats()
    size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
    DB_POOL_CONNECTIONS.labels("open").set(size)
    DB_POOL_CONNECTIONS.labels("idle").set(available)
    DB_POOL_CONNECTIONS.labels("in_use").set(max(0, size - available))
    DB_POOL_CONNECTIONS.labels("max").set(stats.get("pool_max", 0))
    DB_POOL_WAITING.set(stats.get("requests_waiting", 0))
    if stats.get("requests_wait_ms"):
        DB_POOL_WAIT.inc(stats["requests_wait_ms"] / 1000)
    for kind, key in (
        ("timeout", "requests_errors"),
        ("connect", "connections_errors"),
        ("lost", "connections_lost"),
    ):
        if stats.get(key):
            DB_POOL_ERRORS.labels(kind).inc(stats[key])


def connect_receivers() -> None:
    events.sign_in_attempted.connect(_on_sign_in, dispatch_uid="observability.sign_in")
    events.refresh_token_reused.connect(_on_refresh_reuse, dispatch_uid="observability.reuse")
    events.rate_limit_refused.connect(_on_rate_limited, dispatch_uid="observability.ratelimit")
    request_finished.connect(_sample_pool, dispatch_uid="observability.db_pool")


# --- exposition --------------------------------------------------------------------------


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def _email_queue() -> Iterator[Metric]:
    """The django-tasks-db queue as PostgreSQL has it now (all its tasks are emails)."""
    from django.db.models import Count
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    try:
        counts = dict(
            DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.FAILED]
            )
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
    except DatabaseError:
        logger.warning("metrics: could not read the email queue", exc_info=True)
        return
    depth = GaugeMetricFamily(
        "gatehouse_email_queue_depth",
        "Emails waiting to be sent (due now or at a later retry).",
    )
    depth.add_metric([], counts.get(TaskResultStatus.READY, 0))
    failed = GaugeMetricFamily(
        "gatehouse_email_failed",
        "Emails given up after the last attempt (FAILED task rows still in the database).",
    )
    failed.add_metric([], counts.get(TaskResultStatus.FAILED, 0))
    yield depth
    yield failed


class _Exposition:
    """Everything one scrape shows: all workers' metrics, then the live email queue."""

    def collect(self) -> Iterator[Metric]:
        if multiprocess():
            yield from MultiProcessCollector(None).collect()
        else:
            yield from REGISTRY.collect()
        yield from _email_queue()


def scrape() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Exposition())
    return generate_latest(registry)

"""OpenTelemetry tracing: one sign-in on the real server is one trace at a local OTLP
collector stand-in, continuing the client's `traceparent`; without an endpoint nothing of
tracing is set up."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode
from opentelemetry.util.types import AttributeValue

from accounts.models import User
from observability.otel import ScrubbingExporter
from observability.tests.collector import Collector, Span
from observability.tests.servers import ROOT, Gunicorn, server_env
from tokens.tests.helpers import LOGIN

PASSWORD = "correct-horse-battery-9"
EMAIL = "ada@example.com"


@pytest.fixture
def collector() -> Iterator[Collector]:
    collector = Collector()
    collector.start()
    try:
        yield collector
    finally:
        collector.stop()


def untraced_env(**extra: str) -> dict[str, str]:
    """A server's environment without any OTEL_* variable the test run may have, plus
    `extra`."""
    env = {k: v for k, v in server_env().items() if not k.startswith("OTEL_")}
    return {**env, **extra}


def post(
    base: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    path: str = "/graphql/",
    **headers: str,
) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def one_trace(spans: list[Span], trace_id: str) -> list[Span]:
    return [span for span in spans if span.trace_id == trace_id]


def server_span(spans: list[Span]) -> Span | None:
    return next((s for s in spans if s.kind == "SPAN_KIND_SERVER"), None)


def ancestors(span: Span, spans: list[Span]) -> list[str]:
    by_id = {s.span_id: s for s in spans}
    chain = []
    while span.parent_span_id in by_id:
        span = by_id[span.parent_span_id]
        chain.append(span.span_id)
    return chain


def test_one_sign_in_is_one_trace_that_continues_the_clients(transactional_db, tmp_path, collector):
    User.objects.create_user(EMAIL, PASSWORD, email_verified=True)
    client_trace, client_span = secrets.token_hex(16), secrets.token_hex(8)
    literal = "inlined-literal-" + secrets.token_hex(8)
    in_url = "query-string-" + secrets.token_hex(8)

    with (tmp_path / "server.log").open("w+") as log:
        server = Gunicorn(
            tmp_path,
            log,
            workers=1,
            **untraced_env(
                OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
                OTEL_BSP_SCHEDULE_DELAY="100",
                LOG_FORMAT="json",
            ),
        )
        try:
            server.wait()
            status, body = post(
                server.base,
                LOGIN,
                {"email": EMAIL, "password": PASSWORD, "transport": "BODY"},
                traceparent=f"00-{client_trace}-{client_span}-01",
            )
            assert status == 200, body
            login = body["data"]["login"]
            assert login["errors"] == [], body
            spans = collector.wait_for(
                lambda s: server_span(one_trace(s, client_trace)) is not None
            )

            # A (wrong) password inlined as a literal: a payload error code.
            status, body = post(
                server.base,
                f'mutation Login {{ login(input: {{email: "{EMAIL}", password: "{literal}"}},'
                " transport: BODY) { errors { code } } }",
            )
            assert body["data"]["login"]["errors"], body
            # A bad bearer token (a top-level UNAUTHENTICATED), and a secret in the URL.
            status, body = post(
                server.base,
                "query Me { me { id } }",
                path=f"/graphql/?token={in_url}",
                Authorization="Bearer not-a-token",
            )
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
            collector.wait_for(lambda s: sum(span.kind == "SPAN_KIND_SERVER" for span in s) >= 3)
            # A Host that is not allowed: refused before the instrumentation's span, and
            # still logged by the request-log middleware.
            refused_host = urllib.request.Request(
                f"{server.base}/graphql/", data=b"{}", headers={"Host": "evil.example"}
            )
            with pytest.raises(urllib.error.HTTPError) as refused_host_error:
                urllib.request.urlopen(refused_host, timeout=30)
            assert refused_host_error.value.code == 400
        finally:
            server.stop()
        log.seek(0)
        output = log.read()

    # --- the sign-in: one trace, the client's ---------------------------------------------
    trace = one_trace(spans, client_trace)
    root = server_span(trace)
    assert root is not None
    assert root.parent_span_id == client_span
    assert root.scope == "opentelemetry.instrumentation.django"
    assert root.service == "gatehouse"
    assert root.attributes["http.target"] == "/graphql/"
    assert root.attributes["http.status_code"] == 200

    (operation,) = [s for s in trace if s.scope == "gatehouse.graphql"]
    assert operation.name == "mutation Login"
    assert operation.parent_span_id == root.span_id
    assert operation.attributes["graphql.operation.name"] == "Login"
    assert operation.attributes["graphql.operation.type"] == "mutation"
    assert operation.attributes["gatehouse.graphql.root_fields"] == ["login"]
    assert "gatehouse.graphql.error_codes" not in operation.attributes
    assert operation.status_code == "STATUS_CODE_UNSET"

    sql = [s for s in trace if s.scope == "opentelemetry.instrumentation.psycopg"]
    assert sql
    assert all(s.attributes["db.system"] == "postgresql" for s in sql)
    statements = [s.attributes["db.statement"] for s in sql]
    assert any("%s" in statement for statement in statements), statements
    # The sign-in's own statements run inside the operation.
    assert any(operation.span_id in ancestors(s, trace) for s in sql)

    commands = [s for s in trace if s.scope == "opentelemetry.instrumentation.redis"]
    assert commands
    for command in commands:
        # The command name and a `?` per argument, no key and no value (a pipeline: one
        # command a line).
        for statement in command.attributes["db.statement"].splitlines():
            assert set(statement.split()[1:]) <= {"?"}, command.attributes

    # Every span of the request is in the client's trace, under its server span.
    assert all(s is root or root.span_id in ancestors(s, trace) for s in trace)

    # --- what never leaves the server ------------------------------------------------------
    sent = b"".join(collector.bodies)
    for secret in (PASSWORD, literal, in_url, login["accessToken"], login["refreshToken"]):
        assert secret.encode() not in sent
    assert EMAIL.encode() not in sent  # SQL parameters are not recorded
    assert b"not-a-token" not in sent

    everything = collector.spans
    refused = [
        s
        for s in everything
        if s.scope == "gatehouse.graphql" and "UNAUTHENTICATED" in str(s.attributes)
    ]
    (me,) = refused
    assert me.name == "query Me"
    assert me.attributes["gatehouse.graphql.root_fields"] == ["me"]
    assert me.attributes["gatehouse.graphql.error_codes"] == ["UNAUTHENTICATED"]
    assert me.status_code == "STATUS_CODE_ERROR"
    (wrong,) = [
        s
        for s in everything
        if s.scope == "gatehouse.graphql" and s.trace_id != client_trace and s.name != "query Me"
    ]
    assert wrong.name == "mutation Login"
    assert wrong.attributes["gatehouse.graphql.error_codes"]
    # No traceparent: a trace of its own, the server span at its root.
    wrong_root = server_span(one_trace(everything, wrong.trace_id))
    assert wrong_root is not None
    assert wrong_root.parent_span_id == ""

    # --- the JSON log line of the sign-in carries its trace ---------------------------------
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = [r for r in records if r["logger"] == "gatehouse.request"]
    (line,) = [r for r in requests if r.get("trace_id") == client_trace]
    assert line["span_id"] == root.span_id
    assert root.attributes["gatehouse.request_id"] == line["request_id"]
    assert line["operation"] == "Login"
    assert [r["status"] for r in requests if "trace_id" not in r] == [400]


def test_what_leaves_the_process_is_scrubbed():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingExporter(exporter)))
    tracer = provider.get_tracer("test")
    attributes: dict[str, AttributeValue] = {
        "http.target": "/graphql/?query=x&token=SECRET1",
        "http.url": "https://api.example/graphql/?extensions=SECRET2",
        "url.query": "anything=SECRET3",
        "http.request.header.authorization": ("Bearer SECRET4",),
        "http.request.header.cookie": ("sessionid=SECRET5",),
        "http.request.header.accept": ("application/json",),
        "db.statement": 'mutation { login(password: "SECRET6") }',
        "db.redis.args_length": 2,
    }
    with tracer.start_as_current_span("GET /reset?token=SECRET9", attributes=attributes) as span:
        span.add_event("exception", {"exception.message": "at /reset-password?token=SECRET7"})
        span.set_status(Status(StatusCode.ERROR, "'password': 'SECRET8'"))
    (sent,) = exporter.get_finished_spans()
    text = sent.to_json()
    assert [n for n in range(1, 10) if f"SECRET{n}" in text] == []
    kept = dict(sent.attributes or {})
    assert kept["http.target"] == "/graphql/"
    assert kept["http.url"] == "https://api.example/graphql/"
    assert "url.query" not in kept
    assert "http.request.header.authorization" not in kept
    assert kept["http.request.header.accept"] == ("application/json",)
    assert kept["db.redis.args_length"] == 2
    assert sent.status.status_code == StatusCode.ERROR
    assert sent.context == span.get_span_context()


PROBE = """
import json, sys, threading, wsgiref.util
from io import BytesIO

import config.wsgi

body = json.dumps({"query": "query Anon { __typename }"}).encode()
environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/graphql/", "CONTENT_TYPE": "application/json",
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": BytesIO(body)}
wsgiref.util.setup_testing_defaults(environ)
answer = {}
def start_response(status, headers, exc_info=None):
    answer["status"] = status
b"".join(config.wsgi.application(environ, start_response))

import psycopg, redis
from django.conf import settings
from opentelemetry import trace
from config.schema import schema
OURS = ("opentelemetry.instrumentation", "opentelemetry.exporter", "opentelemetry.sdk.trace",
        "observability.otel")
patched = {"redis": redis.Redis.execute_command, "psycopg": psycopg.connect,
           "psycopg.Connection": psycopg.Connection.connect}
print(json.dumps({
    "status": answer["status"],
    "modules": sorted(m for m in sys.modules if m.startswith(OURS)),
    "provider": type(trace.get_tracer_provider()).__name__,
    "threads": sorted(t.name for t in threading.enumerate()),
    "wrapped": sorted(name for name, f in patched.items() if hasattr(f, "__wrapped__")),
    "middleware": settings.MIDDLEWARE,
    "extensions": [getattr(e, "__name__", type(e).__name__) for e in schema.extensions],
}))
"""


def probe(env: dict[str, str]) -> dict[str, Any]:
    """Build the WSGI application in a new process, serve one request, and say what of
    tracing that process set up."""
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


def test_without_an_endpoint_nothing_is_set_up(transactional_db, collector):
    # redis-py imports OpenTelemetry's API and metrics SDK when they are installed, for
    # metrics of its own that stay off; the check is on what tracing would set up.
    off = probe(untraced_env(OTEL_SERVICE_NAME="gatehouse-probe"))
    assert off["status"].startswith("200")
    assert off["modules"] == []
    assert off["provider"] == "ProxyTracerProvider"  # the API's stand-in: no SDK provider
    assert not any(name.startswith("OtelBatch") for name in off["threads"])  # no exporter
    assert off["wrapped"] == []
    assert not any("opentelemetry" in m for m in off["middleware"])
    assert "OperationSpan" not in off["extensions"]

    # The same probe sees all of it when the endpoint is set (so the checks above can fail).
    on = probe(untraced_env(OTEL_EXPORTER_OTLP_ENDPOINT=collector.url))
    assert on["status"].startswith("200")
    assert "observability.otel" in on["modules"]
    assert on["provider"] == "TracerProvider"
    assert any(name.startswith("OtelBatch") for name in on["threads"])
    assert on["wrapped"] == ["psycopg", "psycopg.Connection", "redis"]
    assert any("opentelemetry" in m for m in on["middleware"])
    assert "OperationSpan" in on["extensions"]

    # OTEL_SDK_DISABLED=true turns it off as it would any OpenTelemetry SDK.
    disabled = probe(
        untraced_env(OTEL_EXPORTER_OTLP_ENDPOINT=collector.url, OTEL_SDK_DISABLED="true")
    )
    assert disabled["modules"] == []
    assert disabled["wrapped"] == []

"""OpenTelemetry tracing of the web server: imported by observability/tracing.py only when
settings.TRACING is on, so that a server without an OTLP endpoint never loads any of it.

What is traced: each request (the Django instrumentation, which continues the trace of a
W3C `traceparent` header), each SQL statement (psycopg: the statement text with its `%s`
placeholders, never the parameter values), each Redis command (the command name and one
`?` per argument, never keys or values), and each GraphQL operation (`OperationSpan`: its
name, type, root fields and error codes, never the document or the variables, which may
carry a password or a token).

Every span passes `scrub` on its way out of the process, whatever instrumentation made it:
URLs lose their query string (a careless client may put a token or a document there),
headers that carry credentials are dropped should an operator capture headers
(OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_*), and every other text goes through
core.logging.redact, the same patterns that keep secrets out of the logs (an exception
message, say).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from graphql import FieldNode, GraphQLError
from graphql.utilities import get_operation_ast
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, OTELResourceDetector, Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Status, StatusCode
from strawberry.extensions import SchemaExtension

from core.logging import redact
from observability import context

DEFAULT_SERVICE_NAME = "gatehouse"
# Probes and scrapes come every few seconds; an operator's OTEL_PYTHON_DJANGO_EXCLUDED_URLS
# (or OTEL_PYTHON_EXCLUDED_URLS) replaces this list.
DEFAULT_EXCLUDED_URLS = "/healthz,/readyz,/metrics"
REQUEST_LOG_MIDDLEWARE = "observability.middleware.RequestLogMiddleware"


def start() -> None:
    """The tracer provider with its OTLP/HTTP exporter (configured by the OTEL_EXPORTER_OTLP_*
    variables, read by the SDK), and the instrumentations. Once per process."""
    detected = OTELResourceDetector().detect()
    resource = Resource.create(
        {} if detected.attributes.get(SERVICE_NAME) else {SERVICE_NAME: DEFAULT_SERVICE_NAME}
    )
    provider = TracerProvider(resource=resource)
    # The batch processor exports from a thread of its own; the SDK starts a new one in a
    # forked child (os.register_at_fork), though gunicorn loads the application after the
    # fork anyway. The provider flushes what is left when the process exits.
    provider.add_span_processor(BatchSpanProcessor(ScrubbingExporter(OTLPSpanExporter())))
    trace.set_tracer_provider(provider)

    excluded = None
    operators = (
        os.environ.get("OTEL_PYTHON_DJANGO_EXCLUDED_URLS"),
        os.environ.get("OTEL_PYTHON_EXCLUDED_URLS"),
    )
    if not any(operators):
        excluded = DEFAULT_EXCLUDED_URLS
    # Just inside the request-log middleware (observability/middleware.py), not before it:
    # the instrumentation reads the Host header first thing, and a request whose Host is
    # not allowed must still get its 400 logged and counted there. The request's log line,
    # written once the server span has ended, takes the span's ids from `note_span`.
    DjangoInstrumentor().instrument(
        tracer_provider=provider,
        excluded_urls=excluded,
        middleware_position=_after_request_log(),
        request_hook=note_span,
    )
    # Django's pool opens its connections through psycopg.Connection.connect, which this
    # wraps as well as psycopg.connect. No parameters are captured (the default, kept
    # explicit): they are passwords' hashes, tokens' hashes and email addresses.
    PsycopgInstrumentor().instrument(tracer_provider=provider, capture_parameters=False)
    RedisInstrumentor().instrument(tracer_provider=provider)


def _after_request_log() -> int:
    middleware = list(settings.MIDDLEWARE)
    if REQUEST_LOG_MIDDLEWARE in middleware:
        return middleware.index(REQUEST_LOG_MIDDLEWARE) + 1
    return 0


def note_span(span: trace.Span, request: Any) -> None:
    """The Django instrumentation's request hook: the server span's ids for the request's
    log line, and the request id (X-Request-ID) on the span, to go from one to the other."""
    info = context.current()
    span_context = span.get_span_context()
    if info is not None and span_context.is_valid:
        span.set_attribute("gatehouse.request_id", info.request_id)
        info.trace_ids = (
            trace.format_trace_id(span_context.trace_id),
            trace.format_span_id(span_context.span_id),
        )


def current_ids() -> tuple[str, str] | None:
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)


# --- the GraphQL operation span ----------------------------------------------------------

_tracer = trace.get_tracer("gatehouse.graphql")
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


class OperationSpan(SchemaExtension):
    """One span around each GraphQL operation, named and described as the OpenTelemetry
    GraphQL conventions say (`mutation Login`, `graphql.operation.name`,
    `graphql.operation.type`), with its root fields and error codes. The document
    (`graphql.document`, opt-in in the conventions) is never recorded: a client may inline
    a password as a literal. Nor are the variables.

    First in the schema's extensions, so that the gate's refusals are inside it and the SQL
    and Redis spans of the resolvers are its children."""

    def on_operation(self) -> Iterator[None]:
        with _tracer.start_as_current_span(
            "GraphQL Operation", record_exception=False, set_status_on_exception=False
        ) as span:
            failure: BaseException | None = None
            try:
                yield
            except BaseException as exc:
                failure = exc
                raise
            finally:
                if span.is_recording():
                    self._describe(span, failure)

    def _describe(self, span: trace.Span, failure: BaseException | None) -> None:
        context = self.execution_context
        name = context.operation_name
        name = name if isinstance(name, str) and _NAME.fullmatch(name) else None
        kind: str | None = None
        root_fields: list[str] = []
        document = context.graphql_document
        operation = get_operation_ast(document, name) if document is not None else None
        if operation is not None:
            kind = operation.operation.value
            name = operation.name.value if operation.name else name
            root_fields = [
                selection.name.value
                for selection in operation.selection_set.selections
                if isinstance(selection, FieldNode)
            ]
        span.update_name(" ".join(filter(None, (kind, name))) if kind else "GraphQL Operation")
        if name:
            span.set_attribute("graphql.operation.name", name)
        if kind:
            span.set_attribute("graphql.operation.type", kind)
        span.set_attribute("gatehouse.graphql.root_fields", root_fields)

        result = context.result
        errors: list[GraphQLError] = list(getattr(result, "errors", None) or ())
        errors += [e for e in context.pre_execution_errors or () if e not in errors]
        if isinstance(failure, GraphQLError):
            errors.append(failure)
        codes = [
            code
            for error in errors
            if isinstance(code := (error.extensions or {}).get("code"), str)
        ]
        codes += _payload_codes(getattr(result, "data", None))
        if codes:
            span.set_attribute("gatehouse.graphql.error_codes", codes)
        if errors or failure is not None:
            # Top-level errors fail the operation; payload errors are answers (a wrong
            # password), not failures.
            span.set_status(Status(StatusCode.ERROR, ", ".join(sorted(set(codes))) or None))


def _payload_codes(data: Any) -> list[str]:
    """The `code` of each root payload's `errors`, as far as the client selected them."""
    if not isinstance(data, dict):
        return []
    return [
        error["code"]
        for payload in data.values()
        if isinstance(payload, dict) and isinstance(payload.get("errors"), list)
        for error in payload["errors"]
        if isinstance(error, dict) and isinstance(error.get("code"), str)
    ]


# --- what leaves the process ---------------------------------------------------------------

# Attributes that hold a URL: kept without the query string.
_URL_KEYS = frozenset({"http.target", "http.url", "url.full"})
# Attributes that are nothing but a query string.
_DROPPED_KEYS = frozenset({"url.query"})
# Captured headers (http.request.header.<name>) that carry credentials.
_SECRET_HEADER = re.compile(
    r"http\.(?:request|response)\.header\..*(?:authorization|cookie|token|secret|key|password)",
    re.IGNORECASE,
)


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, tuple | list):
        return tuple(_clean_value(item) for item in value)
    return value


def clean_attributes(attributes: Any) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        if key in _DROPPED_KEYS or _SECRET_HEADER.match(key):
            continue
        if key in _URL_KEYS and isinstance(value, str):
            value = value.split("?", 1)[0]
        cleaned[key] = _clean_value(value)
    return cleaned


def scrub(span: ReadableSpan) -> ReadableSpan:
    """The span as it may leave the process (see the module's docstring)."""
    status = span.status
    if status.description:
        status = Status(status.status_code, redact(status.description))
    return ReadableSpan(
        name=redact(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=clean_attributes(span.attributes),
        events=[
            Event(event.name, clean_attributes(event.attributes), event.timestamp)
            for event in span.events
        ],
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ScrubbingExporter(SpanExporter):
    """Scrubs each span, then hands the batch to the real exporter (in the batch
    processor's thread: requests never wait for it)."""

    def __init__(self, exporter: SpanExporter) -> None:
        self.exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.exporter.export([scrub(span) for span in spans])

    def shutdown(self) -> None:
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self.exporter.force_flush(timeout_millis)

"""One log line and the metrics of every request.

First in MIDDLEWARE, so that it times the whole stack and every response (redirects and
refusals too) carries X-Request-ID. What the request was, GraphQL-wise, is read back from
what the client sent and what it got, so the GraphQL layer only has to say who called
(observability.context.note_viewer, in tokens/viewer.build_context).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse

from observability import context, metrics
from observability.logging import REQUEST_FIELDS

logger = logging.getLogger("gatehouse.request")

# The endpoint answers at both (config/urls.py: a redirected POST would lose its body).
GRAPHQL_PATHS = frozenset({"/graphql/", "/graphql"})
# Probes and scrapes come every few seconds: their lines only at DEBUG.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# A path may carry any character percent-encoded: in the plain format a newline in it would
# start a forged line of its own.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(text: str) -> str:
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# Clients send the same few documents; bounded so that unique texts cannot grow memory.
@functools.lru_cache(maxsize=128)
def _operations(query: str) -> dict[str | None, tuple[str, ...]]:
    """Root field names of each operation in a document ({} when it does not parse)."""
    try:
        document = parse(query, no_location=True, max_tokens=settings.GRAPHQL_MAX_TOKENS)
    except GraphQLError:
        return {}
    found: dict[str | None, tuple[str, ...]] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            found[definition.name.value if definition.name else None] = tuple(
                selection.name.value
                for selection in definition.selection_set.selections
                if isinstance(selection, FieldNode)
            )
    return found


def _graphql_request(request: HttpRequest) -> tuple[str | None, tuple[str, ...]]:
    """(operation name, root fields) of what the client asked for, as far as it says."""
    if request.method == "GET":
        query, name = request.GET.get("query"), request.GET.get("operationName")
    else:
        # Only a body the view has already read (a refused oversized body never is).
        body = getattr(request, "_body", None)
        try:
            data = json.loads(body) if body else None
        except (ValueError, RecursionError):  # the view refused it (400)
            data = None
        if not isinstance(data, dict):
            return None, ()
        query, name = data.get("query"), data.get("operationName")
    if not isinstance(name, str) or not name:
        name = None
    if not isinstance(query, str) or len(query) > settings.GRAPHQL_MAX_REQUEST_BYTES:
        return name, ()
    operations = _operations(query)
    if name is None and len(operations) == 1:
        name, fields = next(iter(operations.items()))
        return name, fields
    return name, operations.get(name, ())


def _error_codes(response: HttpResponseBase) -> list[str]:
    """Top-level `extensions.code`s and the `code` of each root payload's `errors`."""
    if response.streaming or "json" not in response.get("Content-Type", ""):
        return []
    if b'"code"' not in response.content:  # type: ignore[attr-defined]
        return []  # no error anywhere: spares parsing a large answer (an articles page)
    try:
        body = json.loads(response.content)  # type: ignore[attr-defined]
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    codes: list[str] = []
    for error in body.get("errors") or []:
        code = isinstance(error, dict) and (error.get("extensions") or {}).get("code")
        if isinstance(code, str):
            codes.append(code)
    data = body.get("data")
    for payload in data.values() if isinstance(data, dict) else ():
        if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
            codes.extend(
                error["code"]
                for error in payload["errors"]
                if isinstance(error, dict) and isinstance(error.get("code"), str)
            )
    return codes


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = context.request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        info, token = context.begin(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            try:
                self._record(request, response, info, duration)
            except Exception:
                # Logging and counting must never cost the caller their response.
                logger.exception("could not record request %s", request_id)
            return response
        finally:
            context.end(token)

    def _record(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        info: context.RequestInfo,
        duration: float,
    ) -> None:
        fields: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 2),
        }
        graphql = request.path_info in GRAPHQL_PATHS
        if graphql:
            name, root_fields = _graphql_request(request)
            info.operation, info.root_fields = name, list(root_fields)
            info.error_codes = _error_codes(response)
            fields["operation"] = name
            fields["root_fields"] = info.root_fields
            fields["error_codes"] = info.error_codes
        if graphql:
            metrics.observe_graphql(info.operation, duration, info.error_codes)
        metrics.observe_response(response.status_code)
        level = logging.DEBUG if request.path_info in QUIET_PATHS else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            _escaped(request.path),
            response.status_code,
            extra={REQUEST_FIELDS: fields},
        )

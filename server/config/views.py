"""The GraphQL endpoint: Strawberry's sync Django view with our transport rules.

Every refusal is JSON in GraphQL's error shape with an `extensions.code`, never a plain
text page or a stack trace: malformed JSON, a body that is not one JSON object in UTF-8,
a wrong content type, a batch, an oversized body, a mutation over GET.

Statuses follow GraphQL over HTTP (api/responses.py says how the media type is chosen):

| refusal | `application/graphql-response+json` | `application/json` |
|---|---|---|
| not JSON in UTF-8, nested too deep | 400 | 400 |
| a body that is not one object, a batch, parameters of the wrong type, no query | 422 | 400 |
| a POST that is not `Content-Type: application/json` | 415 | 415 |
| an oversized body / query string | 413 / 414 | 413 / 414 |
| a method other than GET or POST; a mutation over GET | 405 with `Allow` | same |
| a document that does not parse | 400 | 200 |
| one that does not validate, variables that do not coerce, no operation to pick | 422 | 200 |
| UNAUTHENTICATED / FORBIDDEN / RATE_LIMITED before execution | 401 / 403 / 429 | 200 |
| Redis down (SERVICE_UNAVAILABLE) | 503 | 503 |

Errors met while executing (a resolver's) leave the answer 200 with its `data`.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from cross_web import HTTPException
from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views import defaults
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult

from api.context import Context
from api.endpoint import GRAPHQL_PATHS
from api.errors import shape_error
from api.responses import (
    error_response,
    set_media_type,
    unavailable_response,
    wants_graphql_response,
)
from config import persisted
from content import response_cache
from core.errors import ServiceUnavailableError
from tokens import me_answers
from tokens.viewer import build_context

logger = logging.getLogger(__name__)


def _unavailable_in(result: ExecutionResult) -> ServiceUnavailableError | None:
    for error in result.errors or ():
        if isinstance(error.original_error, ServiceUnavailableError):
            return error.original_error
    return None


def _request_error_status(result: ExecutionResult) -> int | None:
    """The 4xx of a result that did not execute (no data, and no error from a resolver,
    which would carry a `path`) for a client accepting `application/graphql-response+json`;
    None for one that did."""
    errors: list[GraphQLError] = list(result.errors or ())
    if result.data is not None or not errors or any(e.path is not None for e in errors):
        return None
    codes = {(error.extensions or {}).get("code") for error in errors}
    for code, status in (
        ("UNAUTHENTICATED", 401),
        ("FORBIDDEN", 403),
        ("RATE_LIMITED", 429),
        ("INTERNAL_SERVER_ERROR", 500),
    ):
        if code in codes:
            return status
    if any(isinstance(error, GraphQLSyntaxError) for error in errors):
        return 400  # the document does not parse
    return 422  # it does not validate, or its variables do not coerce


def _refused_by_strawberry(request: HttpRequest, exc: HTTPException) -> JsonResponse:
    """Strawberry's own refusals (parameters of the wrong type, no query, a mutation over
    GET, no operation to pick), with the statuses of the table above."""
    if isinstance(exc.__cause__, InvalidOperationTypeError):
        response = error_response(405, exc.reason, request=request)
        response["Allow"] = "POST"
        return response
    if isinstance(exc.__cause__, CannotGetOperationTypeError):
        return error_response(422, exc.reason, request=request, legacy_status=200)
    if exc.status_code == 400:
        return error_response(422, exc.reason, request=request, legacy_status=400)
    return error_response(exc.status_code, exc.reason, request=request)


def _is_json(request: HttpRequest) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "")
    return content_type.partition(";")[0].strip().lower() == "application/json"


# JSON may escape one half of a UTF-16 surrogate pair alone (`\ud800`): Python decodes it
# into a str that no UTF-8 encoder accepts (psycopg's for PostgreSQL, Argon2's for a
# password), an internal error wherever it lands. Only text with such an escape is checked.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogate(text: str, data: object) -> bool:
    if not _SURROGATE_ESCAPE.search(text):
        return False
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_TOO_DEEP = "The JSON is nested too deeply."
_LONE_SURROGATE = "The JSON escapes half of a UTF-16 surrogate pair alone (e.g. \\ud800)."


def _json_object(request: HttpRequest, body: bytes) -> dict[str, Any] | JsonResponse:
    """A JSON body must be UTF-8 and one object; anything else (`null`, a string, a number,
    undecodable bytes) is the client's mistake, not an exception in Strawberry's parser."""
    try:
        text = body.decode("utf-8")
        data = json.loads(text)
    except ValueError:  # UnicodeDecodeError is one too
        return error_response(400, "The body is not valid JSON in UTF-8.", request=request)
    except RecursionError:  # a few KB of `[[[…` is deeper than Python's parser can go
        return error_response(400, _TOO_DEEP, request=request)
    if not isinstance(data, dict):
        return error_response(
            422,
            "The body must be a JSON object with a `query`.",
            request=request,
            legacy_status=400,
        )
    if _lone_surrogate(text, data):
        return error_response(400, _LONE_SURROGATE, request=request)
    return data


def _get_json_refused(request: HttpRequest) -> JsonResponse | None:
    """The JSON parameters of a GET (`variables`, `extensions`) follow the body's rules."""
    for name in ("variables", "extensions"):
        raw = request.GET.get(name)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue  # refused as not JSON further on
        except RecursionError:
            return error_response(400, _TOO_DEEP, request=request)
        if _lone_surrogate(raw, data):
            return error_response(400, _LONE_SURROGATE, request=request)
    return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBase:
    """Django's 400 handler (config/urls.py): on the GraphQL endpoint a refusal is JSON in
    GraphQL's error shape, as every other refusal there (a Host outside ALLOWED_HOSTS,
    refused by CommonMiddleware); elsewhere Django's own page."""
    if request.path_info in GRAPHQL_PATHS and isinstance(exception, DisallowedHost):
        return error_response(400, "This host is not served here.", request=request)
    return defaults.bad_request(request, exception)


def _keepable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """An answer that may be served to later requests as bare JSON: no errors, and no
    status, header or cookie set by a resolver."""
    if getattr(request, "gatehouse_errors", True) or response.status_code != 200:
        return False
    if response.cookies:
        return False
    return all(name.lower() == "content-type" for name, _ in response.items())


class GatehouseGraphQLView(GraphQLView[Context, None]):
    """Strawberry's Django view with our transport rules and the viewer (tokens/viewer.py)."""

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        view = super().as_view(**initkwargs)
        # CSRF does not apply: the access token travels in a header a browser never adds by
        # itself, and the cookie-authenticated mutations (refresh, logout) check Origin
        # themselves. Marked on the view function rather than by method_decorator, which
        # would build a new wrapper on every request.
        view.csrf_exempt = True  # type: ignore[attr-defined]
        return view

    def get_context(self, request: HttpRequest, response: HttpResponse) -> Context:
        return build_context(request, response)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in {"GET", "POST", "OPTIONS"}:
            wrong_method = error_response(405, "Use GET for queries or POST.", request=request)
            wrong_method["Allow"] = "GET, POST, OPTIONS"
            return wrong_method
        json_body: dict[str, Any] | None = None
        if request.method == "GET":
            raw = request.META.get("QUERY_STRING", "")
            if len(raw) > settings.GRAPHQL_MAX_REQUEST_BYTES:
                return error_response(
                    414, "The query is too large; send it by POST.", request=request
                )
            if (refused := _get_json_refused(request)) is not None:
                return refused
        else:
            too_large = "The request body is too large."
            length = request.META.get("CONTENT_LENGTH") or "0"
            if not length.isdigit() or int(length) > settings.GRAPHQL_MAX_REQUEST_BYTES:
                return error_response(413, too_large, request=request)
            try:
                # Also bounds a body that came without a Content-Length (chunked).
                body = request.body
            except RequestDataTooBig:
                return error_response(413, too_large, request=request)
            if len(body) > settings.GRAPHQL_MAX_REQUEST_BYTES:
                return error_response(413, too_large, request=request)
            if request.method == "POST" and not _is_json(request):
                return error_response(
                    415, "Send the request as Content-Type: application/json.", request=request
                )
            if body.lstrip()[:1] == b"[":
                return error_response(
                    422,
                    "Batched requests are not accepted; send one operation.",
                    request=request,
                    legacy_status=400,
                )
            if request.method == "POST":
                parsed = _json_object(request, body)
                if isinstance(parsed, JsonResponse):
                    return parsed
                json_body = parsed
        # Persisted queries (APQ, trusted documents): config/persisted.py. It may fill in the
        # query of `json_body` (or of the GET parameters) from its hash.
        try:
            if (refusal := persisted.apply(request, json_body)) is not None:
                return refusal
        except ServiceUnavailableError as exc:  # a hash looked up with Redis down
            return unavailable_response(exc, request)
        response: HttpResponseBase
        try:
            ticket = self.content_ticket(request, json_body)
            if ticket is not None and ticket.hit is not None:
                response = HttpResponse(ticket.hit, content_type="application/json")
            else:
                response = self.run(request=request)
                if (
                    ticket is not None
                    and isinstance(response, HttpResponse)
                    and _keepable(request, response)
                ):
                    ticket.store(response.content)
        except HTTPException as exc:
            return _refused_by_strawberry(request, exc)
        except ServiceUnavailableError as exc:  # from the context (bearer) or a resolver
            return unavailable_response(exc, request)
        status = getattr(request, "gatehouse_request_error", None)
        if status is not None and wants_graphql_response(request):
            response.status_code = status
        set_media_type(request, response)
        response["Cache-Control"] = "no-store"
        return response

    def content_ticket(
        self, request: HttpRequest, data: dict[str, Any] | None
    ) -> me_answers.Ticket | response_cache.Ticket | None:
        """A kept answer to a JSON POST, or where to keep the one about to be computed:
        the viewer's own `me` answers (tokens/me_answers.py) or the content answers shared
        by entitlement (content/response_cache.py); None when neither applies."""
        if data is None:
            return None
        query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
        if (
            not isinstance(query, str)
            or not isinstance(variables, dict | None)
            or not isinstance(name, str | None)
        ):
            return None  # Strawberry words the refusal
        context = self.get_context(request, HttpResponse())
        return me_answers.lookup(context, query, variables, name) or response_cache.lookup(
            context, query, variables, name
        )

    def parse_http_body(self, request: Any) -> Any:
        data = super().parse_http_body(request)
        if (
            isinstance(data, GraphQLRequestData)
            and data.query is not None
            and not data.query.strip()
        ):
            raise HTTPException(400, "No GraphQL query found in the request")
        return data

    def process_result(self, request: HttpRequest, result: ExecutionResult) -> GraphQLHTTPResponse:
        request.gatehouse_errors = bool(result.errors)  # type: ignore[attr-defined]
        unavailable = _unavailable_in(result)
        if unavailable is not None:
            raise unavailable  # answered by dispatch
        status = _request_error_status(result)  # read before shaping, which rebuilds errors
        request.gatehouse_request_error = status  # type: ignore[attr-defined]
        if result.errors:
            hide = not settings.GRAPHQL_INTROSPECTION
            result.errors = [shape_error(error, hide_suggestions=hide) for error in result.errors]
        answer = super().process_result(request, result)
        if status is not None and wants_graphql_response(request):
            # A request error: nothing ran, so the answer has no `data` entry (GraphQL spec).
            answer.pop("data", None)
        return answer

    def encode_json(self, data: object) -> str:
        return json.dumps(data, separators=(",", ":"))

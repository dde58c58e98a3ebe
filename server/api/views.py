"""The GraphQL endpoint: Strawberry's sync Django view with our transport rules.

Every refusal is JSON in GraphQL's error shape with an `extensions.code`, never a plain
text page or a stack trace: malformed JSON, a wrong content type, a batch, an oversized
body, a mutation over GET.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from cross_web import HTTPException
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from api.context import Context, build_context
from api.errors import shape_error

logger = logging.getLogger(__name__)


def error_response(status: int, message: str, code: str = "BAD_REQUEST") -> JsonResponse:
    response = JsonResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


class GatehouseGraphQLView(GraphQLView[Context, None]):
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
            return error_response(405, "Use GET for queries or POST.", "BAD_REQUEST")
        if request.method == "GET":
            raw = request.META.get("QUERY_STRING", "")
            if len(raw) > settings.GRAPHQL_MAX_REQUEST_BYTES:
                return error_response(413, "The query is too large.")
        else:
            length = request.META.get("CONTENT_LENGTH") or "0"
            if not length.isdigit() or int(length) > settings.GRAPHQL_MAX_REQUEST_BYTES:
                return error_response(413, "The request body is too large.")
            if request.body.lstrip()[:1] == b"[":
                return error_response(400, "Batched requests are not accepted; send one operation.")
        try:
            response = self.run(request=request)
        except HTTPException as exc:
            return error_response(exc.status_code, exc.reason)
        response["Cache-Control"] = "no-store"
        return response

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
        if result.errors:
            result.errors = [shape_error(error) for error in result.errors]
        return super().process_result(request, result)

    def encode_json(self, data: object) -> str:
        return json.dumps(data, separators=(",", ":"))

"""The GraphQL endpoint's transport on the fast path: a middleware lane and a plain-POST run.

Plain counterparts: Django's whole middleware stack (config/settings MIDDLEWARE) and
Strawberry's generic HTTP layer (`GraphQLView.run`, used by config/views.py). config puts
`GraphQLFastLane` into MIDDLEWARE and `run_plain_post` into the view while
FAST_PATH_ENABLED is on; the answers are the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import resolve
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from api.endpoint import GRAPHQL_PATH, GRAPHQL_PATHS
from api.responses import error_response
from fastpath import content_cache, me_answers


class GraphQLFastLane:
    """Serves /graphql/ (and /graphql) past the middleware it does not need.

    The endpoint needs neither sessions, the auth middleware, messages, CSRF (the view is
    exempt and checks Origin itself where a cookie is used) nor CommonMiddleware's URL
    rewriting; on a small query they cost a measurable share of the request. Placed after
    the security and CORS middleware; every other URL (the admin) takes the full stack.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self._view: Callable[..., HttpResponseBase] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info not in GRAPHQL_PATHS:
            return self.get_response(request)
        try:
            # What CommonMiddleware would do first: ALLOWED_HOSTS applies here too.
            request.get_host()
        except DisallowedHost:
            return error_response(400, "This host is not served here.")
        if self._view is None:
            self._view = resolve(GRAPHQL_PATH).func
        response = self._view(request)
        # What XFrameOptionsMiddleware would add (GraphiQL is a page in development).
        if "X-Frame-Options" not in response:
            response["X-Frame-Options"] = "DENY"
        return response


class _View(Protocol):
    """What `run_plain_post` uses of config's GraphQL view (a Strawberry GraphQLView)."""

    schema: Any

    def get_context(self, request: HttpRequest, response: HttpResponse) -> Any: ...

    def process_result(self, request: HttpRequest, result: Any) -> Any: ...

    def encode_json(self, data: object) -> str: ...


class _SubResponse(HttpResponse):
    """What resolvers may touch (cookies, headers, status); copied onto the response."""


_POST_OPERATIONS = OperationType.from_http("POST")


def run_plain_post(
    view: _View, request: HttpRequest, data: dict[str, Any]
) -> HttpResponseBase | None:
    """The common case, a JSON POST of one operation, without Strawberry's generic HTTP
    layer (request adapter, content negotiation, streaming checks, a JSON-encoded temporary
    response). Anything unusual returns None and takes the full path, which also produces
    the error responses.
    """
    accept = request.META.get("HTTP_ACCEPT", "")
    if "text/event-stream" in accept or "multipart/mixed" in accept:
        return None
    query, variables = data.get("query"), data.get("variables")
    operation_name, extensions = data.get("operationName"), data.get("extensions")
    if (
        not isinstance(query, str)
        or not query.strip()
        or not isinstance(variables, dict | None)
        or not isinstance(operation_name, str | None)
        or not isinstance(extensions, dict | None)
    ):
        return None
    sub_response = _SubResponse()
    context = view.get_context(request, sub_response)
    # A remembered `me` answer or a shared content answer, or a ticket to keep this one
    # (None: neither may answer this request).
    ticket: me_answers.Ticket | content_cache.Ticket | None = me_answers.lookup(
        context, query, variables, operation_name
    ) or content_cache.lookup(context, query, variables, operation_name)
    if ticket is not None and ticket.hit is not None:
        return HttpResponse(ticket.hit, content_type="application/json")
    try:
        result = view.schema.execute_sync(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
            allowed_operation_types=_POST_OPERATIONS,
            operation_extensions=extensions,
        )
    except (CannotGetOperationTypeError, InvalidOperationTypeError, MissingQueryError):
        return None  # refused before execution; the full path words the error
    response = HttpResponse(
        view.encode_json(view.process_result(request, result)),
        content_type="application/json",
    )
    if ticket is not None:
        ticket.store(response.content, errors=result.errors, sub_response=sub_response)
    if sub_response.status_code != 200:
        response.status_code = sub_response.status_code
    for name, value in sub_response.items():
        if name.lower() != "content-type":
            response[name] = value
    for name, morsel in sub_response.cookies.items():
        response.cookies[name] = morsel
    return response

"""Whole-request JSON error answers, for what fails before or around GraphQL execution, and
the media type of every GraphQL answer.

GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) has two response
media types, and the status of a refused request depends on which one the client accepts:

- `application/graphql-response+json`: the client reads the body whatever the status, so a
  request error carries its 4xx (401, 403, 422…) for proxies, logs and metrics; the body
  has no `data` entry (the request did not execute).
- `application/json` (a client that does not ask for the first: Apollo Client 3, curl): a
  client cannot tell a GraphQL answer from a proxy's error page unless the status is 200,
  so a *well-formed* GraphQL request that is refused (a document outside the trusted
  list, a syntax error) is answered 200 with its `errors`, as before. A request that is not
  GraphQL at all (malformed JSON, an oversized body, a wrong method) is a 4xx either way.

The first is chosen when the `Accept` header lists it at least as high as
`application/json` (Apollo Client 4, urql, Apollo Kotlin and Apollo iOS all send it); a
wildcard alone (`*/*`) or no `Accept` keeps `application/json`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase, JsonResponse

from api.errors import ServiceUnavailable
from core.errors import ServiceUnavailableError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value.strip())))
            except ValueError:
                return 0.0
    return 1.0


def wants_graphql_response(request: HttpRequest) -> bool:
    """Whether the answer uses `application/graphql-response+json` (see the module)."""
    accept = request.META.get("HTTP_ACCEPT", "")
    if GRAPHQL_RESPONSE_JSON not in accept.lower():
        return False  # the common case, without parsing
    graphql_q = 0.0
    json_q = {"exact": -1.0, "type": -1.0, "any": -1.0}
    for media_range in accept.split(","):
        media, *params = media_range.split(";")
        media = media.strip().lower()
        q = _quality(params)
        if media == GRAPHQL_RESPONSE_JSON:
            graphql_q = max(graphql_q, q)
        elif media == JSON:
            json_q["exact"] = max(json_q["exact"], q)
        elif media == "application/*":
            json_q["type"] = max(json_q["type"], q)
        elif media == "*/*":
            json_q["any"] = max(json_q["any"], q)
    # The most specific range that names application/json says how much it is wanted.
    plain = next((q for q in json_q.values() if q >= 0), 0.0)
    return graphql_q > 0 and graphql_q >= plain


def media_type(request: HttpRequest) -> str:
    """The Content-Type of a GraphQL answer to `request`."""
    if wants_graphql_response(request):
        return f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    return JSON


def set_media_type(request: HttpRequest, response: HttpResponseBase) -> None:
    """Label a JSON answer with the negotiated type (GraphiQL's HTML page keeps its own)."""
    if response.get("Content-Type", "").startswith((JSON, GRAPHQL_RESPONSE_JSON)):
        response["Content-Type"] = media_type(request)


def error_response(
    status: int,
    message: str,
    code: str = "BAD_REQUEST",
    *,
    request: HttpRequest | None = None,
    legacy_status: int | None = None,
) -> JsonResponse:
    """One error for the whole request.

    `status` is what an `application/graphql-response+json` client gets; `legacy_status`,
    when given, what an `application/json` client gets instead (200 for a well-formed
    request that is refused, 400 for malformed parameters where the other gets 422).
    Without `request` (no negotiation possible) the answer is the `application/json` one."""
    modern = request is not None and wants_graphql_response(request)
    if not modern and legacy_status is not None:
        status = legacy_status
    body: dict[str, object] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    if not (modern and status >= 400):
        # With a 2xx, or for a client that reads only `data: null` as "not run", as before.
        body = {"data": None, **body}
    response = JsonResponse(body, status=status)
    if request is not None:
        response["Content-Type"] = media_type(request)
    response["Cache-Control"] = "no-store"
    return response


def unavailable_response(
    exc: ServiceUnavailableError, request: HttpRequest | None = None
) -> JsonResponse:
    """503 for the whole request: the data it would carry cannot be trusted or completed."""
    error = ServiceUnavailable(retryAfter=exc.retry_after)
    modern = request is not None and wants_graphql_response(request)
    body: dict[str, object] = {"errors": [error.formatted]}
    if not modern:
        body = {"data": None, **body}
    response = JsonResponse(body, status=503)
    if request is not None:
        response["Content-Type"] = media_type(request)
    response["Retry-After"] = str(exc.retry_after)
    response["Cache-Control"] = "no-store"
    return response

"""Plain-HTTP requests in production (SECURE_SSL_REDIRECT): an answer an API client can read.

Django's SecurityMiddleware answers them with a bare 301, which says nothing to a client
that does not follow it, and which a client that does follow turns from POST into GET
(RFC 9110, 15.4.2): the GraphQL call then fails with a puzzling error about a missing
query. This middleware, placed before it, answers first:

- GET and HEAD: 308 Permanent Redirect to the https URL (`Location`), which keeps the
  method, with a JSON body in GraphQL's error shape saying so, for whoever reads it.
- Any other method (a POST: every mutation, every sign-in): 403 with the same JSON error,
  and nothing is run. Not a redirect, even a 308: the body (a password, a refresh token)
  and the Authorization header have already crossed the network unencrypted, and a
  client that follows redirects would keep doing so on every call without ever noticing;
  a refusal makes the developer fix the URL.

Paths in SECURE_REDIRECT_EXEMPT (the load balancer's /healthz and /readyz, /metrics) pass
through untouched, as with Django's own redirect. SECURE_SSL_HOST, when set, is the host
of the https URL, as there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse

_SAFE = {"GET", "HEAD"}


def _refusal(status: int, message: str) -> JsonResponse:
    response = JsonResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


class HttpsRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not settings.SECURE_SSL_REDIRECT or request.is_secure():
            return self.get_response(request)
        path = request.path.lstrip("/")
        if any(re.search(pattern, path) for pattern in settings.SECURE_REDIRECT_EXEMPT):
            return self.get_response(request)
        host = settings.SECURE_SSL_HOST or request.get_host()
        url = f"https://{host}{request.get_full_path()}"
        if request.method in _SAFE:
            response = _refusal(
                308, f"Use {url}: this server answers over https only (see Location)."
            )
            response["Location"] = url
            return response
        return _refusal(
            403,
            f"Use {url}: this server answers over https only, and this {request.method} "
            "was not run. It was sent over plain HTTP: treat any password or token it "
            "carried as exposed.",
        )

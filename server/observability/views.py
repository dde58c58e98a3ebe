"""GET /metrics: the Prometheus text, only to `Authorization: Bearer <METRICS_TOKEN>`.

404 while METRICS_TOKEN is unset (the endpoint does not exist), 401 without a bearer
token, 403 with a wrong one. The comparison takes the same time wherever they differ.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from observability.metrics import scrape


def _plain(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
def metrics(request: HttpRequest) -> HttpResponse:
    expected = settings.METRICS_TOKEN
    if not expected:
        return _plain(404, "Not found.")
    if request.method not in {"GET", "HEAD"}:
        response = _plain(405, "Use GET.")
        response["Allow"] = "GET, HEAD"
        return response
    scheme, _, presented = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        response = _plain(401, "A bearer token is required.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not hmac.compare_digest(presented.strip().encode(), expected.encode()):
        return _plain(403, "The token is not accepted.")
    response = HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response

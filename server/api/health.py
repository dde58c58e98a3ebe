"""Load balancer probes."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive. Constant: no I/O, so it measures only the stack's overhead."""
    return HttpResponse(b"ok", content_type="text/plain")


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    # Round-trips to Redis in production; the in-process cache in the quick start.
    cache.get("readyz-probe")


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """PostgreSQL and Redis are reachable; 503 naming what is not."""
    failing = []
    for name, check in (("database", _check_database), ("cache", _check_cache)):
        try:
            check()
        except Exception:  # any failure means not ready
            logger.warning("readiness check failed: %s", name, exc_info=True)
            failing.append(name)
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing}, status=503)
    return JsonResponse({"status": "ok"})

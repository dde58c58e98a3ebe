"""Whole-request JSON error answers, for what fails before or around GraphQL execution."""

from __future__ import annotations

from django.http import JsonResponse

from api.errors import ServiceUnavailable
from core.errors import ServiceUnavailableError


def error_response(status: int, message: str, code: str = "BAD_REQUEST") -> JsonResponse:
    response = JsonResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


def unavailable_response(exc: ServiceUnavailableError) -> JsonResponse:
    """503 for the whole request: the data it would carry cannot be trusted or completed."""
    error = ServiceUnavailable(retryAfter=exc.retry_after)
    response = JsonResponse({"data": None, "errors": [error.formatted]}, status=503)
    response["Retry-After"] = str(exc.retry_after)
    response["Cache-Control"] = "no-store"
    return response

"""`POST /webhooks/stripe/`: Stripe's events, verified exactly as Stripe signs them.

Stripe-Signature: `t=<unix time>,v1=<hex>[,v1=<hex>…][,v0=…]`, where each v1 is
HMAC-SHA256(secret, f"{t}.{raw body}") in hex. Several v1 values appear while a secret is
being rolled; any one may match. A signature older (or newer) than
STRIPE_WEBHOOK_TOLERANCE is refused so that a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from membership.services import stripe_event_process

logger = logging.getLogger(__name__)


class SignatureError(Exception):
    pass


def stripe_signature(payload: bytes, *, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_stripe_signature(
    payload: bytes, header: str | None, *, secret: str, tolerance: float, now: float | None = None
) -> int:
    """Return the signed timestamp, or raise SignatureError."""
    if not secret:
        raise SignatureError("no webhook secret configured")
    if not header:
        raise SignatureError("missing Stripe-Signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("malformed timestamp") from None
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("no timestamp or v1 signature")
    expected = stripe_signature(payload, secret=secret, timestamp=timestamp)
    # Compare against every candidate so the time taken does not depend on which matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureError("no matching signature")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance")
    return timestamp


def _bad_request(reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=400)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    payload = request.body
    try:
        verify_stripe_signature(
            payload,
            request.headers.get("Stripe-Signature"),
            secret=settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE.total_seconds(),
        )
    except SignatureError as exc:
        logger.warning("stripe webhook refused: %s", exc)
        return _bad_request("invalid signature")
    try:
        event = json.loads(payload)
    except ValueError:
        return _bad_request("invalid JSON")
    if not isinstance(event, dict):
        return _bad_request("not an event")
    try:
        processed = stripe_event_process(event=event)
    except ValueError:
        return _bad_request("not an event")
    logger.info(
        "stripe event %s %s %s",
        event.get("id"),
        event.get("type"),
        "processed" if processed else "already processed",
    )
    return JsonResponse({"received": True, "duplicate": not processed})

"""`POST /webhooks/stripe/`: Stripe's events, verified by the official SDK.

`stripe.Webhook.construct_event` checks the `Stripe-Signature` header (`t=…,v1=…`, any of
several v1 values while a secret is rolled) against STRIPE_WEBHOOK_SECRET and refuses a
signature older than STRIPE_WEBHOOK_TOLERANCE, so that a captured request cannot be
replayed later. The event is then read field by field (providers/stripe_events.py): one of
the wrong shape is answered 400 and not recorded, so Stripe's retry can still succeed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from membership.providers.stripe_events import MalformedEvent, event_from_stripe
from membership.providers.stripe_provider import read_subscription_for_webhook
from membership.services import provider_event_process

logger = logging.getLogger(__name__)


class SignatureRefused(Exception):
    pass


def _signed_at(header: str) -> int:
    # Read as the SDK reads it (the first `t=`); only called once the SDK accepted it.
    return int(next(part.split("=", 2)[1] for part in header.split(",") if part[:2] == "t="))


def verified_event(payload: bytes, header: str | None) -> Mapping[str, Any]:
    """The event Stripe signed, as plain JSON data; SignatureRefused or MalformedEvent."""
    # 0 would switch the SDK's age check off altogether.
    tolerance = max(1, int(settings.STRIPE_WEBHOOK_TOLERANCE.total_seconds()))
    try:
        event = stripe.Webhook.construct_event(
            payload, header, settings.STRIPE_WEBHOOK_SECRET, tolerance
        )
    except stripe.SignatureVerificationError as exc:
        raise SignatureRefused(str(exc).split(".")[0]) from None
    except (ValueError, AttributeError, RecursionError):
        # The SDK decodes and parses the body: ValueError for a body that is not UTF-8 or
        # not JSON, AttributeError when the JSON is not an object, RecursionError when it
        # nests too deep.
        raise MalformedEvent("event", "a JSON object") from None
    assert header is not None  # the SDK refuses a missing header
    # The SDK refuses old signatures only; one from the future is refused just the same.
    if _signed_at(header) > time.time() + tolerance:
        raise SignatureRefused("timestamp in the future beyond the tolerance")
    try:
        return event.to_dict()
    except RecursionError:
        raise MalformedEvent("event", "a JSON object of reasonable depth") from None


def _bad_request(reason: str, **extra: str) -> JsonResponse:
    return JsonResponse({"error": reason, **extra}, status=400)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = event_from_stripe(
            verified_event(request.body, request.headers.get("Stripe-Signature"))
        )
    except SignatureRefused as exc:
        logger.warning("stripe webhook refused: %s", exc)
        return _bad_request("invalid signature")
    except MalformedEvent as exc:
        # Not recorded as processed: Stripe retries, and a corrected event still applies.
        logger.warning("stripe webhook malformed: %s", exc)
        return _bad_request("malformed event", detail=str(exc))
    processed = provider_event_process(event=event, read_subscription=read_subscription_for_webhook)
    logger.info(
        "stripe event %s %s %s",
        event.event_id,
        event.event_type,
        "processed" if processed else "already processed",
    )
    return JsonResponse({"received": True, "duplicate": not processed})

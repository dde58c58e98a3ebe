"""Fixtures and builders shared by the membership and content tests."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import stripe
from django.test import Client
from django.utils import timezone

from accounts.models import User
from content.models import Article
from membership.models import Plan, Provider, Subscription, SubscriptionStatus
from membership.tests.stripe_standin import StripeStandIn

WEBHOOK_SECRET = "whsec_test_secret_for_gatehouse"


def make_plan(slug: str = "basic", *, tier: int = 1, **fields: Any) -> Plan:
    values = {
        "name": slug.title(),
        "description": f"The {slug} plan.",
        "price": 500 * tier,
        "tier": tier,
        "stripe_price_id": f"price_{slug}",
        **fields,
    }
    return Plan.objects.create(slug=slug, **values)


def make_subscription(
    user: User,
    plan: Plan,
    *,
    status: str = SubscriptionStatus.ACTIVE,
    period_end: datetime | None = None,
    **fields: Any,
) -> Subscription:
    now = timezone.now()
    return Subscription.objects.create(
        user=user,
        plan=plan,
        status=status,
        current_period_start=now - timedelta(days=10),
        current_period_end=period_end or now + timedelta(days=20),
        provider=fields.pop("provider", Provider.DEV),
        **fields,
    )


def make_article(slug: str, *, tier: int = 0, days_ago: float = 1, **fields: Any) -> Article:
    values = {
        "title": f"Title of {slug}",
        "summary": f"Summary of {slug}.",
        "body": f"SECRET-BODY-{slug}-full-text",
        "required_tier": tier,
        "published_at": timezone.now() - timedelta(days=days_ago),
        **fields,
    }
    return Article.objects.create(slug=slug, **values)


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header as Stripe builds it (`t=…,v1=…`), made by the SDK's helper."""
    t = int(time.time()) if timestamp is None else timestamp
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp=t)


def stripe_event(event_type: str, obj: dict[str, Any], *, event_id: str, created: int) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2024-06-20",
            "type": event_type,
            "created": created,
            "livemode": False,
            "data": {"object": obj},
        }
    ).encode()


def post_webhook(client: Client, payload: bytes, signature: str | None = None, **kwargs: Any):
    headers = {} if signature is None else {"Stripe-Signature": signature}
    return client.post(
        "/webhooks/stripe/", data=payload, content_type="application/json", headers=headers
    )


@pytest.fixture
def webhook_secret(settings: Any) -> str:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


@pytest.fixture
def stripe_standin(settings: Any) -> Iterator[StripeStandIn]:
    standin = StripeStandIn().start()
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_BASE = standin.url
    settings.STRIPE_SECRET_KEY = standin.secret_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield standin
    standin.stop()

"""Payment providers behind one interface, chosen by PAYMENT_PROVIDER.

- StripeProvider (stripe_provider.py): a Checkout Session in subscription mode through the
  official `stripe` SDK; the subscription itself comes into being through Stripe's
  webhooks, translated into provider-neutral changes by stripe_events.py.
- DevProvider (dev.py): activates at once, for free. The quick-start default; refused in
  production.

Providers talk to the outside world only; services write the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from membership.models import Provider
from membership.providers.base import (
    FETCHED_ORDER,
    CheckoutCompleted,
    PaymentOutcome,
    PaymentProvider,
    PlanRef,
    ProviderEvent,
    ProviderUnavailable,
    StartedSubscription,
    SubscriptionState,
)
from membership.providers.dev import DevProvider
from membership.providers.stripe_provider import StripeProvider

# What services need of a provider: the interface, and the provider-neutral changes its
# events translate into (membership.providers.base).
__all__ = [
    "FETCHED_ORDER",
    "CheckoutCompleted",
    "DevProvider",
    "PaymentOutcome",
    "PaymentProvider",
    "PlanRef",
    "ProviderEvent",
    "ProviderUnavailable",
    "StartedSubscription",
    "StripeProvider",
    "SubscriptionState",
    "get_payment_provider",
]


def get_payment_provider(name: str | None = None) -> PaymentProvider:
    """The provider named, or the configured one (read at call time, not import time)."""
    name = name or settings.PAYMENT_PROVIDER
    if name == Provider.STRIPE:
        return StripeProvider()
    if name == Provider.DEV:
        return DevProvider()
    raise ImproperlyConfigured(f"unknown payment provider {name!r}")

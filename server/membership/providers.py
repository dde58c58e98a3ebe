"""Payment providers behind one interface, chosen by PAYMENT_PROVIDER.

- StripeProvider: a Checkout Session in subscription mode; the subscription itself comes
  into being through Stripe's webhooks (membership/webhooks.py).
- DevProvider: activates at once, for free. The quick-start default; refused in production.

Providers talk to the outside world only; services write the database.
"""

from __future__ import annotations

import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from membership.models import Interval, Plan, Provider, Subscription, SubscriptionStatus
from membership.stripe_client import StripeClient, StripeError

# Seconds during which repeated subscribe calls reuse one Stripe Checkout Session.
CHECKOUT_REUSE_WINDOW = 600

if TYPE_CHECKING:
    from accounts.models import User


class ProviderUnavailable(Exception):
    """The provider refused or could not be reached; the user may try again later."""


@dataclass(frozen=True, kw_only=True)
class StartedSubscription:
    """What a provider did on `subscribe`: a checkout to send the user to, or a live state."""

    checkout_url: str | None = None
    status: SubscriptionStatus | None = None
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None
    provider_customer_id: str = ""
    provider_subscription_id: str | None = None


class PaymentProvider(ABC):
    name: ClassVar[Provider]

    @abstractmethod
    def start_subscription(
        self, *, user: User, plan: Plan, customer_id: str
    ) -> StartedSubscription: ...

    @abstractmethod
    def cancel_at_period_end(self, *, subscription: Subscription) -> None: ...


def period_end(start: datetime, interval: str) -> datetime:
    return start + (timedelta(days=365) if interval == Interval.YEAR else timedelta(days=30))


class DevProvider(PaymentProvider):
    name = Provider.DEV

    def __init__(self) -> None:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("the dev payment provider is refused in production")

    def start_subscription(
        self, *, user: User, plan: Plan, customer_id: str
    ) -> StartedSubscription:
        now = timezone.now()
        return StartedSubscription(
            status=SubscriptionStatus.ACTIVE,
            current_period_start=now,
            current_period_end=period_end(now, plan.interval),
            provider_customer_id=customer_id or f"dev_cus_{user.pk}",
        )

    def cancel_at_period_end(self, *, subscription: Subscription) -> None:
        return None


class StripeProvider(PaymentProvider):
    name = Provider.STRIPE

    def __init__(self, *, timeout: float | None = None, max_retries: int = 2) -> None:
        if not settings.STRIPE_SECRET_KEY:
            raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set")
        self.client = StripeClient(
            api_base=settings.STRIPE_API_BASE,
            secret_key=settings.STRIPE_SECRET_KEY,
            timeout=settings.STRIPE_API_TIMEOUT if timeout is None else timeout,
            max_retries=max_retries,
        )

    def start_subscription(
        self, *, user: User, plan: Plan, customer_id: str
    ) -> StartedSubscription:
        metadata = {"user_id": str(user.pk), "plan_slug": plan.slug}
        params: dict[str, object] = {
            "mode": "subscription",
            "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
            "success_url": settings.STRIPE_CHECKOUT_SUCCESS_URL,
            "cancel_url": settings.STRIPE_CHECKOUT_CANCEL_URL,
            # Webhooks map the session and the subscription back to the user by these.
            "client_reference_id": str(user.pk),
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
        }
        if customer_id:
            params["customer"] = customer_id
        else:
            params["customer_email"] = user.email
        # One key per user, plan and 10-minute window: a second tab (or a double click)
        # gets the same Checkout Session back from Stripe instead of a second one that
        # could be paid too and leave the member with two charged subscriptions.
        window = int(time.time()) // CHECKOUT_REUSE_WINDOW
        key = f"gatehouse-checkout-{user.pk}-{plan.slug}-{customer_id or 'new'}-{window}"
        try:
            session = self.client.create_checkout_session(params, idempotency_key=key)
        except StripeError as exc:
            raise ProviderUnavailable(str(exc)) from None
        url = session.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise ProviderUnavailable("Stripe returned a checkout session without a URL.")
        return StartedSubscription(checkout_url=url)

    def cancel_at_period_end(self, *, subscription: Subscription) -> None:
        if not subscription.provider_subscription_id:
            raise ProviderUnavailable("The subscription is not known to Stripe yet.")
        try:
            self.client.update_subscription(
                subscription.provider_subscription_id,
                {"cancel_at_period_end": True},
                idempotency_key=f"gatehouse-cancel-{uuid.uuid4()}",
            )
        except StripeError as exc:
            raise ProviderUnavailable(str(exc)) from None

    def fetch_subscription(self, subscription_id: str) -> dict[str, Any]:
        try:
            return self.client.retrieve_subscription(subscription_id)
        except StripeError as exc:
            raise ProviderUnavailable(str(exc)) from None


def get_payment_provider(name: str | None = None) -> PaymentProvider:
    """The provider named, or the configured one (read at call time, not import time)."""
    name = name or settings.PAYMENT_PROVIDER
    if name == Provider.STRIPE:
        return StripeProvider()
    if name == Provider.DEV:
        return DevProvider()
    raise ImproperlyConfigured(f"unknown payment provider {name!r}")

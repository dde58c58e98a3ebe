"""Stripe through its official SDK: Checkout Sessions, cancelling, reading a subscription.

Each provider holds its own `stripe.StripeClient` (API key, API base, retries and timeout
of this instance), never the SDK's module-wide globals: the webhook-time read wants other
limits than `subscribe`, and tests point STRIPE_API_BASE at a local stand-in.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from typing import TYPE_CHECKING

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from membership.models import Plan, Provider, Subscription
from membership.providers.base import (
    PaymentProvider,
    ProviderUnavailable,
    StartedSubscription,
    SubscriptionState,
)
from membership.providers.stripe_events import Fields, MalformedEvent, subscription_state

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

    from accounts.models import User

logger = logging.getLogger(__name__)

# Seconds during which repeated subscribe calls reuse one Stripe Checkout Session.
CHECKOUT_REUSE_WINDOW = 600
# Retries (with the SDK's backoff and the same idempotency key) after a network error,
# a 409 or a 5xx, for calls made while a member waits.
MAX_RETRIES = 2
# The read made while handling a webhook runs inside its transaction and Stripe's delivery
# timeout: one short attempt.
WEBHOOK_READ_TIMEOUT = 5.0


def _log_failure(action: str, exc: stripe.StripeError) -> None:
    # Never the message: Stripe's may quote (part of) the key or the request.
    logger.warning(
        "stripe %s failed: %s status=%s code=%s request_id=%s",
        action,
        type(exc).__name__,
        exc.http_status,
        exc.code,
        exc.request_id,
    )


class StripeProvider(PaymentProvider):
    name = Provider.STRIPE

    def __init__(self, *, timeout: float | None = None, max_retries: int = MAX_RETRIES) -> None:
        if not settings.STRIPE_SECRET_KEY:
            raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set")
        self.api_base = settings.STRIPE_API_BASE or stripe.DEFAULT_API_BASE
        self._client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": self.api_base},
            max_network_retries=max_retries,
            http_client=stripe.RequestsClient(
                timeout=settings.STRIPE_API_TIMEOUT if timeout is None else timeout
            ),
        )

    def __repr__(self) -> str:
        return f"StripeProvider(api_base={self.api_base!r})"

    def sells(self, plan: Plan) -> bool:
        return bool(plan.stripe_price_id)

    def start_subscription(
        self, *, user: User, plan: Plan, customer_id: str
    ) -> StartedSubscription:
        metadata = {"user_id": str(user.pk), "plan_slug": plan.slug}
        params: SessionCreateParams = {
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
        # could be paid too and leave the member with two charged subscriptions. The digest
        # of the parameters is part of the key because Stripe refuses a key reused with
        # other parameters (a changed email or price) for 24 hours: those get a new session.
        window = int(time.time()) // CHECKOUT_REUSE_WINDOW
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
        key = f"gatehouse-checkout-{user.pk}-{plan.slug}-{window}-{digest}"
        try:
            session = self._client.v1.checkout.sessions.create(
                params, options={"idempotency_key": key}
            )
        except stripe.StripeError as exc:
            _log_failure("checkout session create", exc)
            raise ProviderUnavailable("Stripe refused or could not be reached.") from None
        url = session.to_dict().get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise ProviderUnavailable("Stripe returned a checkout session without a URL.")
        return StartedSubscription(checkout_url=url)

    def cancel_at_period_end(self, *, subscription: Subscription) -> None:
        if not subscription.provider_subscription_id:
            raise ProviderUnavailable("The subscription is not known to Stripe yet.")
        try:
            # A fresh key per cancel; the SDK's retries of this one call reuse it.
            self._client.v1.subscriptions.update(
                subscription.provider_subscription_id,
                {"cancel_at_period_end": True},
                options={"idempotency_key": f"gatehouse-cancel-{uuid.uuid4()}"},
            )
        except stripe.StripeError as exc:
            _log_failure("subscription update", exc)
            raise ProviderUnavailable("Stripe refused or could not be reached.") from None

    def read_subscription(self, subscription_id: str) -> SubscriptionState | None:
        """The subscription as Stripe has it now, or None when it cannot be read."""
        try:
            found = self._client.v1.subscriptions.retrieve(subscription_id)
        except stripe.StripeError as exc:
            _log_failure("subscription retrieve", exc)
            return None
        try:
            return subscription_state(Fields(found.to_dict(), "subscription"))
        except MalformedEvent as exc:
            logger.warning("stripe subscription %s read back malformed: %s", subscription_id, exc)
            return None


def read_subscription_for_webhook(subscription_id: str) -> SubscriptionState | None:
    """Read a subscription while a webhook is handled: short, not retried; None if unknown."""
    if not settings.STRIPE_SECRET_KEY:
        return None
    provider = StripeProvider(
        timeout=min(WEBHOOK_READ_TIMEOUT, settings.STRIPE_API_TIMEOUT), max_retries=0
    )
    state = provider.read_subscription(subscription_id)
    if state is None:
        logger.warning(
            "stripe subscription %s could not be read; waiting for its events", subscription_id
        )
    return state

"""Writes for membership: starting and cancelling subscriptions, applying Stripe events."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.errors import AccountErrorCode
from accounts.models import User
from core import ratelimit
from core.errors import CoreErrorCode, DomainError
from core.text import refuse_nul
from membership import selectors
from membership.errors import MembershipErrorCode
from membership.models import (
    Plan,
    ProcessedWebhookEvent,
    Provider,
    Subscription,
    SubscriptionStatus,
)
from membership.providers import (
    ProviderUnavailable,
    StartedSubscription,
    StripeProvider,
    get_payment_provider,
)

logger = logging.getLogger(__name__)

SUBSCRIBE_LIMIT = 10
SUBSCRIBE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class SubscribeResult:
    """Either a checkout to send the user to (Stripe) or the active subscription (dev)."""

    checkout_url: str | None
    subscription: Subscription | None


def _already_subscribed() -> DomainError:
    return DomainError(
        MembershipErrorCode.ALREADY_SUBSCRIBED,
        "You already have an active subscription; manage it instead of starting another.",
        "plan_slug",
    )


def _payments_unavailable() -> DomainError:
    return DomainError(
        MembershipErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
        "Payments are unavailable right now; try again in a moment.",
    )


def subscription_start(*, user: User, plan_slug: str) -> SubscribeResult:
    """Start a subscription to an active plan.

    The provider is called outside any database transaction (a slow payment API must not
    hold a connection and a row lock); the dev provider's write re-checks under a lock.
    """
    refuse_nul({"plan_slug": plan_slug})
    if not user.email_verified:
        raise DomainError(
            AccountErrorCode.EMAIL_NOT_VERIFIED, "Verify your email address before subscribing."
        )
    plan = selectors.plan_get_active(slug=plan_slug.strip())
    provider = get_payment_provider()
    if plan is None or (provider.name == Provider.STRIPE and not plan.stripe_price_id):
        raise DomainError(MembershipErrorCode.PLAN_NOT_FOUND, "There is no such plan.", "plan_slug")
    if selectors.subscription_granting(user=user) is not None:
        raise _already_subscribed()
    if not ratelimit.hit("subscribe", str(user.pk), limit=SUBSCRIBE_LIMIT, window=SUBSCRIBE_WINDOW):
        raise DomainError(CoreErrorCode.RATE_LIMITED, "Too many attempts; try again later.")
    customer_id = selectors.customer_id_for(user=user, provider=provider.name)
    try:
        started = provider.start_subscription(user=user, plan=plan, customer_id=customer_id)
    except ProviderUnavailable:
        raise _payments_unavailable() from None
    if started.status is None:
        return SubscribeResult(checkout_url=started.checkout_url, subscription=None)
    return SubscribeResult(
        checkout_url=started.checkout_url,
        subscription=_subscription_record(
            user=user, plan=plan, provider=provider.name, started=started
        ),
    )


@transaction.atomic
def _subscription_record(
    *, user: User, plan: Plan, provider: str, started: StartedSubscription
) -> Subscription:
    # Serialise concurrent subscribes of one user: the second sees the first's row.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if selectors.subscription_granting(user=user) is not None:
        raise _already_subscribed()
    assert started.status is not None
    return Subscription.objects.create(
        user=user,
        plan=plan,
        status=started.status,
        current_period_start=started.current_period_start,
        current_period_end=started.current_period_end,
        provider=provider,
        provider_customer_id=started.provider_customer_id,
        provider_subscription_id=started.provider_subscription_id,
    )


def subscription_cancel(*, user: User) -> Subscription:
    """Cancel the user's subscription at the end of the paid period."""
    subscription = selectors.subscription_granting(user=user)
    if subscription is None:
        raise DomainError(
            MembershipErrorCode.SUBSCRIPTION_NOT_FOUND, "You have no active subscription."
        )
    if subscription.cancel_at_period_end:
        return subscription
    try:
        get_payment_provider(subscription.provider).cancel_at_period_end(subscription=subscription)
    except ProviderUnavailable:
        raise _payments_unavailable() from None
    return _subscription_mark_cancelling(subscription_id=subscription.pk)


@transaction.atomic
def _subscription_mark_cancelling(*, subscription_id: int) -> Subscription:
    subscription = (
        Subscription.objects.select_for_update().select_related("plan").get(pk=subscription_id)
    )
    subscription.cancel_at_period_end = True
    subscription.save(update_fields=["cancel_at_period_end", "updated_at"])
    return subscription


# --- Stripe events --------------------------------------------------------------------------

# Tie-break for events created in the same second: the later kind carries the newer state
# (Stripe emits created → invoice → updated → deleted for one change).
EVENT_RANK = {
    "customer.subscription.created": 1,
    "invoice.paid": 2,
    "invoice.payment_failed": 2,
    "customer.subscription.updated": 3,
    "customer.subscription.paused": 3,
    "customer.subscription.resumed": 3,
    "customer.subscription.deleted": 4,
}
# A subscription read from Stripe's API while handling an event is at least as new as that
# event: it beats every event of the same second.
FETCHED_RANK = 5


def _ts(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def _id(value: object) -> str:
    """An id field that may be a bare id or an expanded object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _first_item(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    items = (obj.get("items") or {}).get("data") or []
    return items[0] if items and isinstance(items[0], Mapping) else {}


def _plan_for(obj: Mapping[str, Any]) -> Plan | None:
    price_id = _id(_first_item(obj).get("price"))
    if price_id:
        plan = Plan.objects.filter(stripe_price_id=price_id).first()
        if plan is not None:
            return plan
    slug = (obj.get("metadata") or {}).get("plan_slug")
    return Plan.objects.filter(slug=slug).first() if isinstance(slug, str) else None


def _user_for(obj: Mapping[str, Any], *, reference: object = None) -> User | None:
    user_id = reference or (obj.get("metadata") or {}).get("user_id")
    if isinstance(user_id, str) and user_id:
        from accounts.selectors import user_get

        user = user_get(user_id=user_id)
        if user is not None:
            return user
    customer = _id(obj.get("customer"))
    if customer:
        known = (
            Subscription.objects.filter(provider=Provider.STRIPE, provider_customer_id=customer)
            .select_related("user")
            .first()
        )
        if known is not None:
            return known.user
    return None


def _locked_subscription(
    *, subscription_id: str, obj: Mapping[str, Any], reference: object = None
) -> Subscription | None:
    """The row of a Stripe subscription, locked; created (incomplete) when first seen."""
    row = (
        Subscription.objects.select_for_update()
        .filter(provider_subscription_id=subscription_id)
        .first()
    )
    if row is not None:
        return row
    user = _user_for(obj, reference=reference)
    plan = _plan_for(obj)
    if user is None or plan is None:
        logger.warning("stripe subscription %s: no matching user or plan; ignored", subscription_id)
        return None
    try:
        with transaction.atomic():
            Subscription.objects.create(
                user=user,
                plan=plan,
                provider=Provider.STRIPE,
                provider_subscription_id=subscription_id,
                provider_customer_id=_id(obj.get("customer")),
            )
    except IntegrityError:
        pass  # a concurrent event for the same subscription created it first
    return Subscription.objects.select_for_update().get(provider_subscription_id=subscription_id)


def _is_stale(row: Subscription, created: datetime, rank: int) -> bool:
    if row.provider_state_at is None:
        return False
    return (row.provider_state_at, row.provider_state_rank) > (created, rank)


def _set_status(row: Subscription, status: str, at: datetime) -> None:
    if status == SubscriptionStatus.PAST_DUE and row.status != SubscriptionStatus.PAST_DUE:
        row.past_due_since = row.past_due_since or at
    elif status != SubscriptionStatus.PAST_DUE:
        row.past_due_since = None
    row.status = status


def _apply_subscription_object(
    obj: Mapping[str, Any], *, created: datetime, rank: int
) -> Subscription | None:
    subscription_id = _id(obj)
    status = obj.get("status")
    if not subscription_id or status not in SubscriptionStatus.values:
        logger.warning("stripe subscription event without id or known status; ignored")
        return None
    row = _locked_subscription(subscription_id=subscription_id, obj=obj)
    if row is None:
        return None
    if _is_stale(row, created, rank):
        logger.info("stripe subscription %s: older event ignored", subscription_id)
        return row
    item = _first_item(obj)
    plan = _plan_for(obj)
    if plan is not None:
        row.plan = plan
    _set_status(row, str(status), created)
    # API versions from 2025-03-31 keep the period on the subscription items.
    row.current_period_start = _ts(
        obj.get("current_period_start") or item.get("current_period_start")
    )
    row.current_period_end = _ts(obj.get("current_period_end") or item.get("current_period_end"))
    row.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    row.canceled_at = _ts(obj.get("canceled_at"))
    row.provider_customer_id = _id(obj.get("customer")) or row.provider_customer_id
    row.provider_state_at, row.provider_state_rank = created, rank
    row.save()
    return row


def _invoice_subscription_id(invoice: Mapping[str, Any]) -> str:
    direct = _id(invoice.get("subscription"))
    if direct:
        return direct
    # API versions from 2025-03-31 moved it under parent.subscription_details.
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return _id(details.get("subscription"))


def _apply_invoice(
    invoice: Mapping[str, Any], *, paid: bool, created: datetime, rank: int
) -> Subscription | None:
    subscription_id = _invoice_subscription_id(invoice)
    if not subscription_id:
        return None
    row = (
        Subscription.objects.select_for_update()
        .filter(provider_subscription_id=subscription_id)
        .first()
    )
    if row is None:
        # The subscription's own events create the row; this one carries no plan.
        logger.info("stripe invoice for unknown subscription %s; ignored", subscription_id)
        return None
    if _is_stale(row, created, rank):
        return row
    if paid:
        if row.status in (
            SubscriptionStatus.PAST_DUE,
            SubscriptionStatus.UNPAID,
            SubscriptionStatus.INCOMPLETE,
        ):
            _set_status(row, SubscriptionStatus.ACTIVE, created)
        lines = (invoice.get("lines") or {}).get("data") or []
        period = (lines[0].get("period") or {}) if lines else {}
        end = _ts(period.get("end"))
        if end is not None and (row.current_period_end is None or end > row.current_period_end):
            row.current_period_start = _ts(period.get("start")) or row.current_period_start
            row.current_period_end = end
    elif row.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        _set_status(row, SubscriptionStatus.PAST_DUE, created)
    row.provider_state_at, row.provider_state_rank = created, rank
    row.save()
    return row


def _apply_checkout_session(
    session: Mapping[str, Any], *, created: datetime
) -> Subscription | None:
    if session.get("mode") != "subscription":
        return None
    subscription_id = _id(session.get("subscription"))
    if not subscription_id:
        return None
    row = _locked_subscription(
        subscription_id=subscription_id,
        obj=session,
        reference=session.get("client_reference_id"),
    )
    if row is None:
        return None
    if not row.provider_customer_id:
        row.provider_customer_id = _id(session.get("customer"))
        row.save(update_fields=["provider_customer_id", "updated_at"])
    if row.provider_state_at is None:
        # No subscription event has been applied yet (they may come later, or have been
        # lost): read the subscription as it is now, so that a paid checkout unlocks at
        # once, as Stripe recommends. Without it the row waits for those events.
        fetched = _stripe_subscription_fetch(subscription_id)
        if fetched is not None:
            return _apply_subscription_object(fetched, created=created, rank=FETCHED_RANK)
    return row


def _stripe_subscription_fetch(subscription_id: str) -> Mapping[str, Any] | None:
    if not settings.STRIPE_SECRET_KEY:
        return None
    # Inside the webhook's transaction and Stripe's delivery timeout: one short attempt.
    provider = StripeProvider(timeout=min(5.0, settings.STRIPE_API_TIMEOUT), max_retries=0)
    try:
        return provider.fetch_subscription(subscription_id)
    except ProviderUnavailable:
        logger.warning(
            "stripe subscription %s could not be read; waiting for its events", subscription_id
        )
        return None


@transaction.atomic
def stripe_event_process(*, event: Mapping[str, Any]) -> bool:
    """Apply one verified Stripe event; False when this event id was already processed.

    The event id's unique row is inserted in the same transaction as the change: a
    concurrent duplicate waits on that insert and then finds it taken, and a failure rolls
    both back so that Stripe's retry is processed afresh.
    """
    event_id = event.get("id")
    event_type = event.get("type")
    created = _ts(event.get("created"))
    if not isinstance(event_id, str) or not isinstance(event_type, str) or created is None:
        raise ValueError("not a Stripe event")
    try:
        with transaction.atomic():
            ProcessedWebhookEvent.objects.create(
                provider=Provider.STRIPE, event_id=event_id, event_type=event_type[:100]
            )
    except IntegrityError:
        return False
    obj = (event.get("data") or {}).get("object") or {}
    if not isinstance(obj, Mapping):
        return True
    rank = EVENT_RANK.get(event_type, 0)
    if event_type == "checkout.session.completed":
        _apply_checkout_session(obj, created=created)
    elif event_type.startswith("customer.subscription."):
        if event_type in EVENT_RANK:
            _apply_subscription_object(obj, created=created, rank=rank)
    elif event_type in ("invoice.paid", "invoice.payment_failed"):
        _apply_invoice(obj, paid=event_type == "invoice.paid", created=created, rank=rank)
    return True

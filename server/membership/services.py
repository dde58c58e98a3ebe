"""Writes for membership: starting and cancelling subscriptions, applying provider events.

Provider-neutral: a provider's events reach this module already translated (see
membership/providers/base.py); no provider's own field names appear here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.errors import AccountErrorCode
from accounts.models import User
from core import ratelimit
from core.errors import DomainError
from core.text import refuse_nul
from membership import selectors
from membership.errors import MembershipErrorCode
from membership.models import (
    Plan,
    ProcessedWebhookEvent,
    Subscription,
    SubscriptionStatus,
)
from membership.providers import (
    FETCHED_ORDER,
    CheckoutCompleted,
    PaymentOutcome,
    PlanRef,
    ProviderEvent,
    ProviderUnavailable,
    StartedSubscription,
    SubscriptionState,
    get_payment_provider,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubscribeResult:
    """Either a checkout to send the user to (hosted payment page) or the active subscription."""

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


def payments_check() -> None:
    """Refuse when payments are off (PAYMENTS_ENABLED, false while PAYMENT_PROVIDER and the
    Stripe keys are empty): said before any input check, rate limit or provider call, since
    no retry and no other input can make it work."""
    if not settings.PAYMENTS_ENABLED:
        raise DomainError(
            MembershipErrorCode.PAYMENTS_DISABLED, "Payments are not available on this server."
        )


def subscription_start(*, user: User, plan_slug: str) -> SubscribeResult:
    """Start a subscription to an active plan.

    The provider is called outside any database transaction (a slow payment API must not
    hold a connection and a row lock); the dev provider's write re-checks under a lock.
    """
    payments_check()
    refuse_nul({"plan_slug": plan_slug})
    if not user.email_verified:
        raise DomainError(
            AccountErrorCode.EMAIL_NOT_VERIFIED, "Verify your email address before subscribing."
        )
    plan = selectors.plan_get_active(slug=plan_slug.strip())
    provider = get_payment_provider()
    if plan is None or not provider.sells(plan):
        raise DomainError(MembershipErrorCode.PLAN_NOT_FOUND, "There is no such plan.", "plan_slug")
    if selectors.subscription_granting(user=user) is not None:
        raise _already_subscribed()
    ratelimit.check("subscribe", str(user.pk))
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
    # First, whatever the subscription's state: with payments off no provider can be told,
    # and the answer should not depend on what the viewer has.
    payments_check()
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


# --- provider events -----------------------------------------------------------------------

# Reads a subscription from the provider's API now; None when it cannot.
SubscriptionReader = Callable[[str], SubscriptionState | None]


def _plan_for(*, provider: str, plan: PlanRef) -> Plan | None:
    if plan.price_id:
        found = selectors.plan_for_provider_price(provider=provider, price_id=plan.price_id)
        if found is not None:
            return found
    return Plan.objects.filter(slug=plan.slug).first() if plan.slug else None


def _user_for(*, provider: str, user_id: str, customer_id: str) -> User | None:
    if user_id:
        from accounts.selectors import user_get

        user = user_get(user_id=user_id)
        if user is not None:
            return user
    if customer_id:
        known = (
            Subscription.objects.filter(provider=provider, provider_customer_id=customer_id)
            .select_related("user")
            .first()
        )
        if known is not None:
            return known.user
    return None


def _locked_subscription(
    seen: SubscriptionState | CheckoutCompleted, *, provider: str
) -> Subscription | None:
    """The row of the provider subscription `seen` names (in its state, or a checkout),
    locked; created (incomplete) when first seen."""
    subscription_id, customer_id = seen.subscription_id, seen.customer_id
    row = (
        Subscription.objects.select_for_update()
        .filter(provider_subscription_id=subscription_id)
        .first()
    )
    if row is not None:
        return row
    user = _user_for(provider=provider, user_id=seen.user_id, customer_id=customer_id)
    plan_row = _plan_for(provider=provider, plan=seen.plan)
    if user is None or plan_row is None:
        logger.warning(
            "%s subscription %s: no matching user or plan; ignored", provider, subscription_id
        )
        return None
    try:
        with transaction.atomic():
            Subscription.objects.create(
                user=user,
                plan=plan_row,
                provider=provider,
                provider_subscription_id=subscription_id,
                provider_customer_id=customer_id,
            )
    except IntegrityError:
        pass  # a concurrent event for the same subscription created it first
    return Subscription.objects.select_for_update().get(provider_subscription_id=subscription_id)


def _is_stale(row: Subscription, at: datetime, order: int) -> bool:
    if row.provider_state_at is None:
        return False
    return (row.provider_state_at, row.provider_state_rank) > (at, order)


def _set_status(row: Subscription, status: str, at: datetime) -> None:
    if status == SubscriptionStatus.PAST_DUE and row.status != SubscriptionStatus.PAST_DUE:
        row.past_due_since = row.past_due_since or at
    elif status != SubscriptionStatus.PAST_DUE:
        row.past_due_since = None
    row.status = status


def _apply_state(
    state: SubscriptionState, *, provider: str, at: datetime, order: int
) -> Subscription | None:
    row = _locked_subscription(state, provider=provider)
    if row is None:
        return None
    if _is_stale(row, at, order):
        logger.info("%s subscription %s: older event ignored", provider, state.subscription_id)
        return row
    plan = _plan_for(provider=provider, plan=state.plan)
    if plan is not None:
        row.plan = plan
    _set_status(row, state.status, at)
    row.current_period_start = state.current_period_start
    row.current_period_end = state.current_period_end
    row.cancel_at_period_end = state.cancel_at_period_end
    row.canceled_at = state.canceled_at
    row.provider_customer_id = state.customer_id or row.provider_customer_id
    row.provider_state_at, row.provider_state_rank = at, order
    row.save()
    return row


def _apply_payment(
    payment: PaymentOutcome, *, provider: str, at: datetime, order: int
) -> Subscription | None:
    row = (
        Subscription.objects.select_for_update()
        .filter(provider_subscription_id=payment.subscription_id)
        .first()
    )
    if row is None:
        # The subscription's own events create the row; a payment carries no plan.
        logger.info(
            "%s payment for unknown subscription %s; ignored", provider, payment.subscription_id
        )
        return None
    if _is_stale(row, at, order):
        return row
    if payment.paid:
        if row.status in (
            SubscriptionStatus.PAST_DUE,
            SubscriptionStatus.UNPAID,
            SubscriptionStatus.INCOMPLETE,
        ):
            _set_status(row, SubscriptionStatus.ACTIVE, at)
        end = payment.period_end
        if end is not None and (row.current_period_end is None or end > row.current_period_end):
            row.current_period_start = payment.period_start or row.current_period_start
            row.current_period_end = end
    elif row.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        _set_status(row, SubscriptionStatus.PAST_DUE, at)
    row.provider_state_at, row.provider_state_rank = at, order
    row.save()
    return row


def _apply_checkout(
    checkout: CheckoutCompleted,
    *,
    provider: str,
    at: datetime,
    read_subscription: SubscriptionReader | None,
) -> Subscription | None:
    row = _locked_subscription(checkout, provider=provider)
    if row is None:
        return None
    if not row.provider_customer_id:
        row.provider_customer_id = checkout.customer_id
        row.save(update_fields=["provider_customer_id", "updated_at"])
    if row.provider_state_at is None and read_subscription is not None:
        # No subscription event has been applied yet (they may come later, or have been
        # lost): read the subscription as it is now, so that a paid checkout unlocks at
        # once, as providers recommend. Without it the row waits for those events.
        fetched = read_subscription(checkout.subscription_id)
        if fetched is not None:
            return _apply_state(fetched, provider=provider, at=at, order=FETCHED_ORDER)
    return row


@transaction.atomic
def provider_event_process(
    *, event: ProviderEvent, read_subscription: SubscriptionReader | None = None
) -> bool:
    """Apply one verified provider event; False when this event id was already processed.

    The event id's unique row is inserted in the same transaction as the change: a
    concurrent duplicate waits on that insert and then finds it taken, and a failure rolls
    both back so that the provider's retry is processed afresh. `read_subscription` reads
    the current state when a completed checkout arrives before the subscription's events.
    """
    try:
        with transaction.atomic():
            ProcessedWebhookEvent.objects.create(
                provider=event.provider,
                event_id=event.event_id,
                event_type=event.event_type[:100],
            )
    except IntegrityError:
        return False
    change, provider, at = event.change, event.provider, event.occurred_at
    if isinstance(change, SubscriptionState):
        _apply_state(change, provider=provider, at=at, order=event.order)
    elif isinstance(change, PaymentOutcome):
        _apply_payment(change, provider=provider, at=at, order=event.order)
    elif isinstance(change, CheckoutCompleted):
        _apply_checkout(change, provider=provider, at=at, read_subscription=read_subscription)
    return True

"""Reads for membership."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from membership.entitlement import granting_subscription
from membership.models import Plan, Provider, Subscription

if TYPE_CHECKING:
    from accounts.models import User


def plan_list_active() -> QuerySet[Plan]:
    return Plan.objects.filter(active=True).order_by("tier", "price", "id")


def plan_get_active(*, slug: str) -> Plan | None:
    return Plan.objects.filter(slug=slug, active=True).first()


def subscription_granting(*, user: User) -> Subscription | None:
    """The subscription that gives the user access now (highest tier), or None."""
    return granting_subscription(user)


def subscription_current(*, user: User) -> Subscription | None:
    """What `me.subscription` shows: the granting one, else the most recent one."""
    granting = subscription_granting(user=user)
    if granting is not None:
        return granting
    return (
        Subscription.objects.filter(user=user)
        .select_related("plan")
        .order_by("-created_at", "-id")
        .first()
    )


def customer_id_for(*, user: User, provider: str) -> str:
    """The provider's customer id from the user's earlier subscriptions, or ''."""
    return (
        Subscription.objects.filter(user=user, provider=provider)
        .exclude(provider_customer_id="")
        .order_by("-created_at")
        .values_list("provider_customer_id", flat=True)
        .first()
        or ""
    )


def plan_for_provider_price(*, provider: str, price_id: str) -> Plan | None:
    """The plan sold under a provider's price id (webhooks map subscriptions back by it)."""
    if provider == Provider.STRIPE and price_id:
        return Plan.objects.filter(stripe_price_id=price_id).first()
    return None

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum

import strawberry
import strawberry_django
from django.db.models import Q
from strawberry import relay
from strawberry.types import Info

from accounts.models import User
from api.node import in_order_of, pk_ids
from membership import models
from membership.entitlement import access_deadline, subscription_grants_access
from membership.selectors import subscription_current


@strawberry.enum(description="How often a plan is billed.")
class PlanInterval(Enum):
    MONTH = strawberry.enum_value("month", description="Billed every month.")
    YEAR = strawberry.enum_value("year", description="Billed every year.")


@strawberry.enum(description="A subscription's state, as Stripe names it.")
class SubscriptionStatus(Enum):
    INCOMPLETE = strawberry.enum_value(
        "incomplete", description="The first payment has not succeeded yet; no access."
    )
    INCOMPLETE_EXPIRED = strawberry.enum_value(
        "incomplete_expired", description="The first payment never succeeded; no access."
    )
    TRIALING = strawberry.enum_value("trialing", description="In a free trial; gives access.")
    ACTIVE = strawberry.enum_value("active", description="Paid up; gives access.")
    PAST_DUE = strawberry.enum_value(
        "past_due",
        description="A renewal payment failed; gives access for a grace period (see "
        "`accessUntil`).",
    )
    CANCELED = strawberry.enum_value("canceled", description="Ended; no access.")
    UNPAID = strawberry.enum_value("unpaid", description="Payments kept failing; no access.")
    PAUSED = strawberry.enum_value("paused", description="Paused by the provider; no access.")


@strawberry.enum(description="Who takes the payments of a subscription.")
class PaymentProvider(Enum):
    STRIPE = strawberry.enum_value("stripe", description="Stripe (Checkout and webhooks).")
    DEV = strawberry.enum_value(
        "dev", description="The development provider: activates at once, never in production."
    )


def _viewer_id(info: Info) -> str | None:
    return info.context.viewer.user_id


@strawberry_django.type(models.Plan, description="A membership plan one can subscribe to.")
class Plan(relay.Node):
    """A Node whose global id is made of the slug (`Plan:<slug>`, base64): stable across
    databases, as the slug is what clients and `subscribe` already name plans by."""

    @classmethod
    def resolve_id_attr(cls) -> str:
        return "slug"

    @classmethod
    def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[models.Plan | None]:
        """`Query.node`: a plan open for subscription, or one the viewer subscribed to
        (what `me.subscription.plan` shows, even once it is withdrawn)."""
        slugs = [str(node_id) for node_id in node_ids]
        visible = Q(active=True)
        viewer_id = _viewer_id(info)
        if viewer_id is not None:
            visible |= Q(subscriptions__user_id=viewer_id)
        found = models.Plan.objects.filter(visible, slug__in=slugs).distinct()
        return in_order_of(slugs, found, key=lambda plan: plan.slug)

    slug: str = strawberry_django.field(description="Stable identifier, used by `subscribe`.")
    name: str = strawberry_django.field(description="Display name.")
    description: str = strawberry_django.field(description="What the plan includes.")
    price: int = strawberry_django.field(
        description="Price per interval in minor units of `currency` (cents)."
    )
    currency: str = strawberry_django.field(description="ISO 4217 code, lower case.")
    tier: int = strawberry_django.field(
        description="Access level: unlocks every article whose tier is at most this."
    )

    @strawberry_django.field(only=["interval"], description="How often it is billed.")
    def interval(self, root: models.Plan) -> PlanInterval:
        return PlanInterval(root.interval)


@strawberry_django.type(
    models.Subscription,
    name="MemberSubscription",
    description=(
        "A member's subscription to a plan. (Not named `Subscription`: SDL tools would take "
        "that for the GraphQL subscription root type.)"
    ),
)
class MemberSubscription(relay.Node):
    """A Node (global id `MemberSubscription:<pk>`, base64) that only its member sees."""

    @classmethod
    def resolve_id_attr(cls) -> str:
        return "pk"

    @classmethod
    def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[models.Subscription | None]:
        """`Query.node`: the viewer's own subscriptions; anyone else's answers null."""
        ids = [str(node_id) for node_id in node_ids]
        viewer_id = _viewer_id(info)
        if viewer_id is None:
            return [None for _ in ids]
        found = models.Subscription.objects.filter(user_id=viewer_id, pk__in=pk_ids(ids))
        return in_order_of(ids, found)

    plan: Plan = strawberry_django.field(description="The plan subscribed to.")
    current_period_start: datetime | None = strawberry_django.field(
        description="Start of the paid period."
    )
    current_period_end: datetime | None = strawberry_django.field(
        description="End of the paid period; renews then unless `cancelAtPeriodEnd`."
    )
    cancel_at_period_end: bool = strawberry_django.field(
        description="True when it ends at `currentPeriodEnd` instead of renewing."
    )

    @strawberry_django.field(only=["status"], description="Current state.")
    def status(self, root: models.Subscription) -> SubscriptionStatus:
        return SubscriptionStatus(root.status)

    @strawberry_django.field(only=["provider"], description="Who takes the payments.")
    def provider(self, root: models.Subscription) -> PaymentProvider:
        return PaymentProvider(root.provider)

    @strawberry_django.field(
        only=["status", "current_period_end", "past_due_since"],
        description="Whether it gives access to premium articles right now.",
    )
    def active(self, root: models.Subscription) -> bool:
        return subscription_grants_access(root)

    @strawberry_django.field(
        only=["status", "current_period_end", "past_due_since"],
        description=(
            "Until when it gives access if nothing changes: the period end, or the end of "
            "the grace period after a failed payment. Null when it gives none."
        ),
    )
    def access_until(self, root: models.Subscription) -> datetime | None:
        return access_deadline(root) if subscription_grants_access(root) else None


@strawberry_django.field(
    only=["id"],
    description=(
        "The subscription that gives access now, else the most recent one; null when "
        "the user never subscribed. Read live on every request."
    ),
)
def subscription(root: User) -> MemberSubscription | None:
    """`User.subscription`: wired onto accounts' User type by config/schema.py (accounts,
    below membership, does not know of subscriptions)."""
    return subscription_current(user=root)  # type: ignore[return-value]

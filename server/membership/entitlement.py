"""Who may read what: the one place that decides access to premium articles.

Read live on every request (one indexed query per request, memoised for that request
only): a cancellation, a lapsed period or a failed payment takes effect on the next
request, not when the caller's access token expires. Nothing is cached across requests,
so there is no cache to invalidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from membership.models import Subscription, SubscriptionStatus

if TYPE_CHECKING:
    from accounts.models import User

FREE_TIER = 0

# Statuses that may grant access; every other status (incomplete, canceled, unpaid,
# paused, incomplete_expired) never does.
GRANTING_STATUSES = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.PAST_DUE,
)


def access_deadline(subscription: Subscription) -> datetime | None:
    """Until when this subscription grants access, or None when it does not at all.

    active / trialing: until the end of the current period.
    past_due: the payment failed; access continues for SUBSCRIPTION_PAST_DUE_GRACE from
    the failure (or from the period end when the failure time is unknown), and never past
    the period end plus that grace.
    """
    end = subscription.current_period_end
    if end is None:
        return None
    if subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        return end
    if subscription.status == SubscriptionStatus.PAST_DUE:
        grace = settings.SUBSCRIPTION_PAST_DUE_GRACE
        since = subscription.past_due_since or end
        return min(since, end) + grace
    return None


def subscription_grants_access(subscription: Subscription, *, now: datetime | None = None) -> bool:
    deadline = access_deadline(subscription)
    return deadline is not None and (now or timezone.now()) < deadline


@dataclass(frozen=True)
class Access:
    """What a viewer may read: every article whose required tier is at most `tier`."""

    tier: int = FREE_TIER

    def may_read(self, required_tier: int) -> bool:
        return required_tier <= FREE_TIER or self.tier >= required_tier


ANONYMOUS = Access()


def granting_subscription(user: User, *, now: datetime | None = None) -> Subscription | None:
    """The user's subscription that grants access now: the highest tier (the newest among
    equals), or None."""
    now = now or timezone.now()
    subscriptions = (
        Subscription.objects.filter(user=user, status__in=GRANTING_STATUSES)
        .select_related("plan")
        .order_by("-created_at", "-id")
    )
    return max(
        (s for s in subscriptions if subscription_grants_access(s, now=now)),
        key=lambda s: s.plan.tier,
        default=None,
    )


def access_for_user(user: User | None, *, now: datetime | None = None) -> Access:
    """The viewer's access right now: the tier of their granting subscription."""
    if user is None or not user.is_active:
        return ANONYMOUS
    granting = granting_subscription(user, now=now)
    return ANONYMOUS if granting is None else Access(tier=granting.plan.tier)


_CONTEXT_ATTRIBUTE = "_membership_access"


def access_for_context(context: Any) -> Access:
    """`access_for_user` for the request's viewer, computed once per request."""
    access = getattr(context, _CONTEXT_ATTRIBUTE, None)
    if access is None:
        access = access_for_user(context.viewer.user)
        setattr(context, _CONTEXT_ATTRIBUTE, access)
    return access


def may_read_article(*, user: User | None, required_tier: int) -> bool:
    return access_for_user(user).may_read(required_tier)

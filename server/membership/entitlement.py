"""Who may read what: the one place that decides access to premium articles.

Read live on every request (one indexed query per request, memoised for that request
only): a cancellation, a lapsed period or a failed payment takes effect on the next
request, not when the caller's access token expires. Nothing is cached across requests,
so there is no cache to invalidate.

The per-request read is narrow: the status, period end, failure time and plan tier of the
user's possibly-granting subscriptions (on PostgreSQL, joined with the user's `is_active`
in one statement written once), never whole model instances. `access_deadline` is the one
definition both this read and the subscription objects go through.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from membership.models import Plan, Subscription, SubscriptionStatus

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
    return _deadline(
        subscription.status, subscription.current_period_end, subscription.past_due_since
    )


def _deadline(
    status: str, end: datetime | None, past_due_since: datetime | None
) -> datetime | None:
    if end is None:
        return None
    if status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        return end
    if status == SubscriptionStatus.PAST_DUE:
        grace = settings.SUBSCRIPTION_PAST_DUE_GRACE
        since = past_due_since or end
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


# (status, current_period_end, past_due_since, plan tier) of one possibly-granting
# subscription: all that deciding access needs.
_Row = tuple[str, datetime | None, datetime | None, int]


def _access_from(rows: Iterable[_Row], now: datetime) -> Access:
    tier = max(
        (
            row[3]
            for row in rows
            if (deadline := _deadline(row[0], row[1], row[2])) is not None and now < deadline
        ),
        default=None,
    )
    return ANONYMOUS if tier is None else Access(tier=tier)


def _granting_rows(user_id: Any) -> list[_Row]:
    return list(
        Subscription.objects.filter(user_id=user_id, status__in=GRANTING_STATUSES)
        .order_by()
        .values_list("status", "current_period_end", "past_due_since", "plan__tier")
    )


def access_for_user(user: User | None, *, now: datetime | None = None) -> Access:
    """The viewer's access right now: the tier of their granting subscription."""
    if user is None or not user.is_active:
        return ANONYMOUS
    return _access_from(_granting_rows(user.pk), now or timezone.now())


@functools.cache
def _viewer_access_sql() -> str:
    """One statement: the user's `is_active` and their possibly-granting subscriptions.

    Identifiers come from the models, quoted; every value is a bound parameter."""
    from accounts.models import User

    quote = connection.ops.quote_name
    user, sub, plan = User._meta, Subscription._meta, Plan._meta

    def col(meta: Any, alias: str, name: str) -> str:
        return f"{alias}.{quote(str(meta.get_field(name).column))}"

    statuses = ", ".join(["%s"] * len(GRANTING_STATUSES))
    return (
        f"SELECT {col(user, 'u', 'is_active')}, {col(sub, 's', 'status')}, "  # noqa: S608
        f"{col(sub, 's', 'current_period_end')}, {col(sub, 's', 'past_due_since')}, "
        f"{col(plan, 'p', 'tier')} "
        f"FROM {quote(user.db_table)} u "
        f"LEFT JOIN ({quote(sub.db_table)} s JOIN {quote(plan.db_table)} p "
        f"ON {col(plan, 'p', 'id')} = {col(sub, 's', 'plan')}) "
        f"ON {col(sub, 's', 'user')} = {col(user, 'u', 'id')} "
        f"AND {col(sub, 's', 'status')} IN ({statuses}) "
        f"WHERE {col(user, 'u', 'id')} = %s"
    )


def access_for_user_id(user_id: str | None, *, now: datetime | None = None) -> Access | None:
    """The access of the active user with this id right now; None when there is no such
    active user (deleted, disabled, or a malformed id). One query on PostgreSQL."""
    from accounts.models import User

    if user_id is None:
        return None
    try:
        pk = uuid.UUID(str(user_id))
    except ValueError:
        return None
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        # Elsewhere (the SQLite quick start) the ORM converts the column values.
        user = User.objects.filter(pk=pk, is_active=True).only("id", "is_active").first()
        return None if user is None else access_for_user(user, now=now)
    with connection.cursor() as cursor:
        cursor.execute(_viewer_access_sql(), [*map(str, GRANTING_STATUSES), pk])
        rows = cursor.fetchall()
    if not rows or not rows[0][0]:
        return None
    return _access_from((row[1:] for row in rows if row[1] is not None), now)


_CONTEXT_ATTRIBUTE = "_membership_access"


def access_for_context(context: Any) -> Access:
    """`access_for_user` for the request's viewer, computed once per request.

    A signed-in viewer whose user row is not loaded yet costs one query (user and
    subscriptions together); a deleted or disabled account falls through to
    `viewer.user`, which refuses it as before."""
    access = getattr(context, _CONTEXT_ATTRIBUTE, None)
    if access is None:
        viewer = context.viewer
        found = None
        if viewer.is_authenticated and "user" not in getattr(viewer, "__dict__", {}):
            found = access_for_user_id(viewer.user_id)
        access = found if found is not None else access_for_user(viewer.user)
        setattr(context, _CONTEXT_ATTRIBUTE, access)
    return access


def may_read_article(*, user: User | None, required_tier: int) -> bool:
    return access_for_user(user).may_read(required_tier)

"""The development provider: activates at once, for free. Refused in production."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from membership.models import Interval, Plan, Provider, Subscription, SubscriptionStatus
from membership.providers.base import PaymentProvider, StartedSubscription

if TYPE_CHECKING:
    from accounts.models import User


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

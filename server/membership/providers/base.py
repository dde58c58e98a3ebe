"""What every payment provider offers, and the provider-neutral changes its events carry.

A provider's webhook events are translated (beside that provider) into a `ProviderEvent`
whose `change` is one of the dataclasses below; `membership.services` applies those and
never sees a provider's own field names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from membership.models import Plan, Provider, Subscription, SubscriptionStatus

if TYPE_CHECKING:
    from accounts.models import User

# A subscription read from the provider's API while an event is handled is at least as new
# as that event: it outranks every event of the same second. Providers' own event orders
# stay below it.
FETCHED_ORDER = 5


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


@dataclass(frozen=True, kw_only=True)
class PlanRef:
    """How a provider names the plan: its price id, and the slug we gave it at checkout."""

    price_id: str = ""
    slug: str = ""


@dataclass(frozen=True, kw_only=True)
class SubscriptionState:
    """The whole state of one provider subscription, as of the event (or the API read)."""

    subscription_id: str
    status: SubscriptionStatus
    customer_id: str = ""
    # Our user id, when we handed it to the provider (metadata at checkout).
    user_id: str = ""
    plan: PlanRef = PlanRef()
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    canceled_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PaymentOutcome:
    """A renewal was paid (with the period it paid for) or failed."""

    subscription_id: str
    paid: bool
    period_start: datetime | None = None
    period_end: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class CheckoutCompleted:
    """A checkout we started ended with a subscription (not necessarily paid yet)."""

    subscription_id: str
    customer_id: str = ""
    user_id: str = ""
    plan: PlanRef = PlanRef()


Change = SubscriptionState | PaymentOutcome | CheckoutCompleted


@dataclass(frozen=True, kw_only=True)
class ProviderEvent:
    """One verified, well-formed provider event; `change` is None when it changes nothing."""

    provider: Provider
    event_id: str
    event_type: str
    occurred_at: datetime
    # Tie-break between events of the same second: the higher one carries the newer state.
    order: int
    change: Change | None


class PaymentProvider(ABC):
    name: ClassVar[Provider]

    def sells(self, plan: Plan) -> bool:
        """Whether this provider can charge for the plan."""
        return True

    @abstractmethod
    def start_subscription(
        self, *, user: User, plan: Plan, customer_id: str
    ) -> StartedSubscription: ...

    @abstractmethod
    def cancel_at_period_end(self, *, subscription: Subscription) -> None: ...

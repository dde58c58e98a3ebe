"""Stripe's events and objects → provider-neutral changes (membership.providers.base).

Every field read here is checked against the type Stripe documents before anything is
written. A correctly signed event of the wrong shape raises `MalformedEvent` (the webhook
answers 400) and is not recorded as processed, so that Stripe's retry of the corrected
event is still applied. Stripe's field names live in this module and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from membership.models import Provider, SubscriptionStatus
from membership.providers.base import (
    FETCHED_ORDER,
    Change,
    CheckoutCompleted,
    PaymentOutcome,
    PlanRef,
    ProviderEvent,
    SubscriptionState,
)

logger = logging.getLogger(__name__)

# Tie-break for events created in the same second: the later kind carries the newer state
# (Stripe emits created → invoice → updated → deleted for one change).
EVENT_ORDER = {
    "customer.subscription.created": 1,
    "invoice.paid": 2,
    "invoice.payment_failed": 2,
    "customer.subscription.updated": 3,
    "customer.subscription.paused": 3,
    "customer.subscription.resumed": 3,
    "customer.subscription.deleted": 4,
}
assert max(EVENT_ORDER.values()) < FETCHED_ORDER

SUBSCRIPTION_EVENTS = frozenset(k for k in EVENT_ORDER if k.startswith("customer.subscription."))
CHECKOUT_COMPLETED = "checkout.session.completed"
INVOICE_EVENTS = {"invoice.paid": True, "invoice.payment_failed": False}

# Ids end up in indexed columns of at most 255 characters.
MAX_ID_LENGTH = 255
# datetime cannot hold a Unix time from year 10000 on.
MAX_TIMESTAMP = 253_402_300_799


class MalformedEvent(ValueError):
    """A Stripe object whose fields do not have the types Stripe documents."""

    def __init__(self, path: str, expected: str) -> None:
        super().__init__(f"{path}: expected {expected}")
        self.path = path


class Fields:
    """Typed reads from one JSON object; a bad field raises MalformedEvent naming its path.

    A field that is absent or null reads as empty ("", None, False, []): Stripe leaves out
    or nulls what does not apply.
    """

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise MalformedEvent(path, "an object")
        self._values: Mapping[str, Any] = value
        self.path = path

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def _raw(self, key: str, *, required: bool) -> Any:
        value = self._values.get(key)
        if value is None and required:
            raise MalformedEvent(self._at(key), "a value")
        return value

    def text(self, key: str, *, required: bool = False) -> str:
        value = self._raw(key, required=required)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise MalformedEvent(self._at(key), "a string")
        return value

    def ref(self, key: str, *, required: bool = False) -> str:
        """An identifier: a short printable string (no NUL or control characters)."""
        value = _checked_ref(self._raw(key, required=required), self._at(key))
        if required and not value:
            raise MalformedEvent(self._at(key), "a non-empty id")
        return value

    def id(self, key: str) -> str:
        """A field that is either a bare id or the expanded object carrying it."""
        value = self._raw(key, required=False)
        if isinstance(value, Mapping):
            return Fields(value, self._at(key)).ref("id", required=True)
        return _checked_ref(value, self._at(key))

    def timestamp(self, key: str, *, required: bool = False) -> datetime | None:
        value = self._raw(key, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedEvent(self._at(key), "a Unix timestamp (integer)")
        if not 0 <= value <= MAX_TIMESTAMP:
            raise MalformedEvent(self._at(key), "a Unix timestamp in range")
        return datetime.fromtimestamp(value, tz=UTC)

    def flag(self, key: str) -> bool:
        value = self._raw(key, required=False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise MalformedEvent(self._at(key), "true or false")
        return value

    def obj(self, key: str) -> Fields | None:
        value = self._raw(key, required=False)
        return None if value is None else Fields(value, self._at(key))

    def required_obj(self, key: str) -> Fields:
        return Fields(self._raw(key, required=True), self._at(key))

    def list_data(self, key: str) -> list[Fields]:
        """The objects of a Stripe list object (`{"object": "list", "data": [...]}`)."""
        container = self.obj(key)
        if container is None:
            return []
        items = container._raw("data", required=False)
        if items is None:
            return []
        if not isinstance(items, list):
            raise MalformedEvent(container._at("data"), "a list")
        return [Fields(item, f"{container.path}.data[{n}]") for n, item in enumerate(items)]

    def metadata(self) -> Mapping[str, str]:
        """Stripe metadata: string keys to string values."""
        value = self._raw("metadata", required=False)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise MalformedEvent(self._at("metadata"), "an object of strings")
        for key, item in value.items():
            if not isinstance(item, str):
                raise MalformedEvent(f"{self._at('metadata')}.{key}", "a string")
        return value


def _checked_ref(value: object, path: str) -> str:
    if value is None:
        return ""
    if (
        not isinstance(value, str)
        or len(value) > MAX_ID_LENGTH
        or (value and not value.isprintable())
    ):
        raise MalformedEvent(path, f"an id (a printable string of at most {MAX_ID_LENGTH})")
    return value


def _metadata_ref(fields: Fields, key: str) -> str:
    return _checked_ref(fields.metadata().get(key), f"{fields.path}.metadata.{key}")


def subscription_state(fields: Fields) -> SubscriptionState | None:
    """A Stripe Subscription object; None (logged) when its status is one we do not know."""
    subscription_id = fields.ref("id", required=True)
    status = fields.text("status", required=True)
    items = fields.list_data("items")
    first = items[0] if items else None
    # API versions from 2025-03-31 keep the period on the subscription items.
    period_start = fields.timestamp("current_period_start")
    period_end = fields.timestamp("current_period_end")
    if first is not None:
        item_start = first.timestamp("current_period_start")
        item_end = first.timestamp("current_period_end")
        period_start = period_start or item_start
        period_end = period_end or item_end
    price_id = first.id("price") if first is not None else ""
    customer_id = fields.id("customer")
    user_id = _metadata_ref(fields, "user_id")
    slug = _metadata_ref(fields, "plan_slug")
    cancel_at_period_end = fields.flag("cancel_at_period_end")
    canceled_at = fields.timestamp("canceled_at")
    if status not in SubscriptionStatus.values:
        # A status newer than this code: well-formed, so acknowledged, but not applied.
        logger.warning(
            "stripe subscription %s: unknown status %r; ignored", subscription_id, status
        )
        return None
    return SubscriptionState(
        subscription_id=subscription_id,
        status=SubscriptionStatus(status),
        customer_id=customer_id,
        user_id=user_id,
        plan=PlanRef(price_id=price_id, slug=slug),
        current_period_start=period_start,
        current_period_end=period_end,
        cancel_at_period_end=cancel_at_period_end,
        canceled_at=canceled_at,
    )


def _payment_outcome(invoice: Fields, *, paid: bool) -> PaymentOutcome | None:
    subscription_id = invoice.id("subscription")
    parent = invoice.obj("parent")
    details = parent.obj("subscription_details") if parent is not None else None
    # API versions from 2025-03-31 moved it under parent.subscription_details.
    nested = details.id("subscription") if details is not None else ""
    lines = invoice.list_data("lines")
    period = lines[0].obj("period") if lines else None
    start = period.timestamp("start") if period is not None else None
    end = period.timestamp("end") if period is not None else None
    subscription_id = subscription_id or nested
    if not subscription_id:
        return None  # not a subscription's invoice
    return PaymentOutcome(
        subscription_id=subscription_id, paid=paid, period_start=start, period_end=end
    )


def _checkout_completed(session: Fields) -> CheckoutCompleted | None:
    mode = session.text("mode")
    subscription_id = session.id("subscription")
    reference = session.ref("client_reference_id")
    metadata_user_id = _metadata_ref(session, "user_id")
    customer_id = session.id("customer")
    user_id = reference or metadata_user_id
    slug = _metadata_ref(session, "plan_slug")
    if mode != "subscription" or not subscription_id:
        return None
    return CheckoutCompleted(
        subscription_id=subscription_id,
        customer_id=customer_id,
        user_id=user_id,
        plan=PlanRef(slug=slug),
    )


def _change(event_type: str, obj: Fields) -> Change | None:
    if event_type == CHECKOUT_COMPLETED:
        return _checkout_completed(obj)
    if event_type in SUBSCRIPTION_EVENTS:
        return subscription_state(obj)
    if event_type in INVOICE_EVENTS:
        return _payment_outcome(obj, paid=INVOICE_EVENTS[event_type])
    return None


def event_from_stripe(payload: object) -> ProviderEvent:
    """A verified Stripe event (its JSON as a dict) → a provider-neutral event.

    Raises MalformedEvent for any field of the wrong type, before anything is written.
    """
    event = Fields(payload, "event")
    event_id = event.ref("id", required=True)
    event_type = event.ref("type", required=True)
    created = event.timestamp("created", required=True)
    assert created is not None  # required=True
    obj = event.required_obj("data").required_obj("object")
    return ProviderEvent(
        provider=Provider.STRIPE,
        event_id=event_id,
        event_type=event_type,
        occurred_at=created,
        order=EVENT_ORDER.get(event_type, 0),
        change=_change(event_type, obj),
    )

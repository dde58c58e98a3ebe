"""POST /webhooks/stripe/ with correctly signed events whose fields have the wrong type.

Each is refused with 400 (never a 500) and not recorded as processed, so that Stripe's
retry of the corrected event is still applied.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from membership.models import ProcessedWebhookEvent, Subscription, SubscriptionStatus
from membership.tests.fixtures import WEBHOOK_SECRET, make_plan, post_webhook, sign, stripe_event

T0 = int(time.time()) - 60

Mutation = Callable[[dict[str, Any]], None]


def subscription(user) -> dict[str, Any]:
    return {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": "active",
        "cancel_at_period_end": False,
        "canceled_at": None,
        "current_period_start": T0,
        "current_period_end": T0 + 30 * 86400,
        "items": {"object": "list", "data": [{"price": {"id": "price_basic"}}]},
        "metadata": {"user_id": str(user.pk), "plan_slug": "basic"},
    }


def invoice() -> dict[str, Any]:
    return {
        "id": "in_1",
        "object": "invoice",
        "subscription": "sub_1",
        "parent": None,
        "lines": {"object": "list", "data": [{"period": {"start": T0, "end": T0 + 86400}}]},
    }


def checkout(user) -> dict[str, Any]:
    return {
        "id": "cs_1",
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": str(user.pk),
        "customer": "cus_1",
        "subscription": "sub_1",
        "metadata": {"user_id": str(user.pk), "plan_slug": "basic"},
    }


def event(event_type: str, obj: dict[str, Any], event_id: str = "evt_1") -> dict[str, Any]:
    return json.loads(stripe_event(event_type, obj, event_id=event_id, created=T0))


def on_object(change: Mutation) -> Mutation:
    def apply(evt: dict[str, Any]) -> None:
        change(evt["data"]["object"])

    return apply


def setting(key: str, value: Any) -> Mutation:
    return lambda obj: obj.__setitem__(key, value)


def removing(key: str) -> Mutation:
    return lambda obj: obj.pop(key)


def first_item(key: str, value: Any) -> Mutation:
    def apply(obj: dict[str, Any]) -> None:
        obj.pop("current_period_start")
        obj.pop("current_period_end")
        obj["items"]["data"][0][key] = value

    return apply


SUB = "customer.subscription.created"
PAID = "invoice.paid"
CHECKOUT = "checkout.session.completed"

WRONG_SHAPES = [
    # the envelope
    pytest.param(SUB, lambda e: e["data"].pop("object"), "event.data.object", id="no-data-object"),
    pytest.param(SUB, lambda e: e.__setitem__("data", "x"), "event.data", id="data-a-string"),
    pytest.param(SUB, lambda e: e.pop("data"), "event.data", id="no-data"),
    pytest.param(
        SUB, lambda e: e["data"].__setitem__("object", "sub_1"), "event.data.object", id="obj-str"
    ),
    pytest.param(SUB, lambda e: e.__setitem__("id", 5), "event.id", id="event-id-a-number"),
    pytest.param(SUB, lambda e: e.__setitem__("id", ""), "event.id", id="event-id-empty"),
    pytest.param(SUB, lambda e: e.__setitem__("type", 5), "event.type", id="type-a-number"),
    pytest.param(SUB, lambda e: e.__setitem__("created", "now"), "event.created", id="created-str"),
    # a subscription
    pytest.param(
        SUB, on_object(setting("current_period_end", "soon")), "current_period_end", id="end-soon"
    ),
    pytest.param(
        SUB, on_object(setting("current_period_end", 10**20)), "current_period_end", id="end-far"
    ),
    pytest.param(
        SUB, on_object(setting("current_period_end", True)), "current_period_end", id="end-bool"
    ),
    pytest.param(
        SUB, on_object(setting("current_period_start", -1)), "current_period_start", id="start-neg"
    ),
    pytest.param(SUB, on_object(setting("canceled_at", "yesterday")), "canceled_at", id="canceled"),
    pytest.param(SUB, on_object(setting("customer", 5)), "customer", id="customer-a-number"),
    pytest.param(
        SUB, on_object(setting("customer", {"email": "a@b.c"})), "customer.id", id="customer-no-id"
    ),
    pytest.param(
        SUB, on_object(setting("customer", "cus_\x00")), "customer", id="customer-nul-byte"
    ),
    pytest.param(
        SUB,
        on_object(setting("items", [{"price": "price_basic"}])),
        "items",
        id="items-a-bare-list",
    ),
    pytest.param(SUB, on_object(setting("items", "price_basic")), "items", id="items-a-string"),
    pytest.param(
        SUB, on_object(setting("items", {"data": "x"})), "items.data", id="items-data-not-a-list"
    ),
    pytest.param(
        SUB, on_object(setting("items", {"data": ["price_basic"]})), "items.data[0]", id="item-str"
    ),
    pytest.param(SUB, on_object(first_item("price", 5)), "items.data[0].price", id="price-number"),
    pytest.param(
        SUB,
        on_object(first_item("current_period_end", "soon")),
        "items.data[0].current_period_end",
        id="item-period-soon",
    ),
    pytest.param(
        SUB,
        on_object(lambda o: o["items"]["data"][0].__setitem__("current_period_end", "soon")),
        "items.data[0].current_period_end",
        id="item-period-soon-beside-the-top-level-one",
    ),
    pytest.param(SUB, on_object(setting("metadata", "user=1")), "metadata", id="metadata-a-string"),
    pytest.param(
        SUB, on_object(setting("metadata", {"user_id": 5})), "metadata.user_id", id="metadata-num"
    ),
    pytest.param(SUB, on_object(setting("status", 5)), "status", id="status-a-number"),
    pytest.param(SUB, on_object(removing("status")), "status", id="no-status"),
    pytest.param(SUB, on_object(removing("id")), "object.id", id="no-id"),
    pytest.param(SUB, on_object(setting("id", "sub_" + "x" * 300)), "object.id", id="id-too-long"),
    pytest.param(
        SUB, on_object(setting("cancel_at_period_end", "yes")), "cancel_at_period_end", id="flag"
    ),
    # an invoice
    pytest.param(PAID, on_object(setting("subscription", 5)), "subscription", id="inv-sub-num"),
    pytest.param(PAID, on_object(setting("parent", "x")), "parent", id="inv-parent-a-string"),
    pytest.param(
        PAID, on_object(setting("lines", {"data": {"x": 1}})), "lines.data", id="inv-lines-object"
    ),
    pytest.param(
        PAID,
        on_object(setting("lines", {"data": [{"period": {"start": T0, "end": "soon"}}]})),
        "lines.data[0].period.end",
        id="inv-period-end-soon",
    ),
    # a checkout session
    pytest.param(
        CHECKOUT,
        on_object(setting("client_reference_id", 5)),
        "client_reference_id",
        id="cs-reference-a-number",
    ),
    pytest.param(
        CHECKOUT, on_object(setting("subscription", 5)), "subscription", id="cs-sub-number"
    ),
    pytest.param(CHECKOUT, on_object(setting("mode", ["x"])), "mode", id="cs-mode-a-list"),
    pytest.param(
        CHECKOUT,
        on_object(setting("metadata", {"user_id": 5})),
        "metadata.user_id",
        id="cs-metadata-user-a-number",
    ),
    pytest.param(
        CHECKOUT,
        on_object(setting("metadata", {"plan_slug": "basic\x00"})),
        "metadata.plan_slug",
        id="cs-slug-nul-byte",
    ),
]


def base_object(event_type: str, user) -> dict[str, Any]:
    if event_type == PAID:
        return invoice()
    if event_type == CHECKOUT:
        return checkout(user)
    return subscription(user)


@pytest.fixture
def plans(db):
    return {"basic": make_plan("basic", tier=1)}


@pytest.mark.parametrize(("event_type", "mutate", "path"), WRONG_SHAPES)
def test_signed_event_with_a_wrong_shape_is_refused_and_not_recorded(
    client, user, plans, webhook_secret, event_type, mutate, path
):
    evt = event(event_type, base_object(event_type, user))
    mutate(evt)
    payload = json.dumps(evt).encode()
    response = post_webhook(client, payload, sign(payload))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "malformed event"
    assert path in body["detail"]
    assert ProcessedWebhookEvent.objects.count() == 0
    assert Subscription.objects.count() == 0


def test_the_corrected_retry_of_a_refused_event_is_applied(client, user, plans, webhook_secret):
    # given Stripe delivered an event whose period end was not a timestamp
    good = event(SUB, subscription(user), event_id="evt_fix")
    bad = copy.deepcopy(good)
    bad["data"]["object"]["current_period_end"] = "soon"
    payload = json.dumps(bad).encode()
    assert post_webhook(client, payload, sign(payload)).status_code == 400
    # when the corrected event is delivered under the same event id
    payload = json.dumps(good).encode()
    response = post_webhook(client, payload, sign(payload))
    # then it is processed and applied, once
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    row = Subscription.objects.get()
    assert row.status == SubscriptionStatus.ACTIVE
    assert row.current_period_end is not None
    assert int(row.current_period_end.timestamp()) == T0 + 30 * 86400
    assert post_webhook(client, payload, sign(payload)).json()["duplicate"] is True
    assert ProcessedWebhookEvent.objects.filter(event_id="evt_fix").count() == 1


def test_an_unknown_subscription_status_is_acknowledged_and_not_applied(
    client, user, plans, webhook_secret
):
    obj = subscription(user)
    obj["status"] = "a_status_from_the_future"
    payload = json.dumps(event(SUB, obj, event_id="evt_new")).encode()
    response = post_webhook(client, payload, sign(payload))
    assert response.status_code == 200
    assert Subscription.objects.count() == 0
    assert ProcessedWebhookEvent.objects.filter(event_id="evt_new").exists()


def _signed_bytes(payload: bytes) -> str:
    # By hand: the SDK's helper takes text, and these bodies are not valid UTF-8 text.
    t = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{t}.".encode() + payload, hashlib.sha256)
    return f"t={t},v1={digest.hexdigest()}"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b"null", id="null"),
        pytest.param(b'"evt_1"', id="string"),
        pytest.param(b"5", id="number"),
        pytest.param(b'{"id": "evt_\xff"}', id="invalid-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply-nested"),
        pytest.param(b'{"object": "v2.core.event", "id": "evt_1"}', id="thin-event"),
    ],
)
def test_signed_body_that_is_not_an_event_object_is_400(client, webhook_secret, db, payload):
    response = post_webhook(client, payload, _signed_bytes(payload))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert ProcessedWebhookEvent.objects.count() == 0

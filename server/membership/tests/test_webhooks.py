"""POST /webhooks/stripe/: signatures as Stripe makes them, replays, races, ordering."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from membership.models import ProcessedWebhookEvent, Subscription, SubscriptionStatus
from membership.tests.fixtures import (
    WEBHOOK_SECRET,
    make_plan,
    post_webhook,
    sign,
    stripe_event,
)

T0 = int(time.time()) - 60  # event times: a minute ago and later


def subscription_object(user, *, status="active", sub_id="sub_1", price="price_basic", **extra):
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": "cus_1",
        "status": status,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "current_period_start": T0,
        "current_period_end": T0 + 30 * 86400,
        "items": {"object": "list", "data": [{"price": {"id": price}}]},
        "metadata": {"user_id": str(user.pk), "plan_slug": "basic"},
        **extra,
    }


def deliver(client, event_type, obj, *, event_id, created):
    payload = stripe_event(event_type, obj, event_id=event_id, created=created)
    return post_webhook(client, payload, sign(payload))


@pytest.fixture
def plans(db):
    return {"basic": make_plan("basic", tier=1), "pro": make_plan("pro", tier=2)}


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def v1(payload: bytes, *, secret: str, timestamp: int) -> str:
    """Stripe's documented v1 scheme, by hand: HMAC-SHA256 of "{t}.{payload}", hex."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()


# --- signatures ---------------------------------------------------------------------------


def test_test_signatures_follow_stripes_published_scheme():
    # The tests sign with the SDK's helper; it must build what Stripe sends, or the
    # webhook tests would prove nothing about real deliveries.
    payload = b'{"id":"evt_1"}'
    expected = v1(payload, secret="whsec_x", timestamp=1700000000)
    assert sign(payload, secret="whsec_x", timestamp=1700000000) == f"t=1700000000,v1={expected}"


def test_good_signature_is_accepted_and_applied(client, user, plans, webhook_secret):
    response = deliver(
        client,
        "customer.subscription.created",
        subscription_object(user),
        event_id="evt_1",
        created=T0,
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.user == user
    assert subscription.plan == plans["basic"]
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_end == at(T0 + 30 * 86400)
    assert subscription.provider_customer_id == "cus_1"


def test_any_of_several_v1_signatures_may_match(client, user, plans, webhook_secret):
    # While a secret is rolled, Stripe signs with the old and the new one.
    payload = stripe_event(
        "customer.subscription.created",
        subscription_object(user),
        event_id="evt_roll",
        created=T0,
    )
    t = int(time.time())
    old = v1(payload, secret="whsec_old_secret", timestamp=t)
    good = v1(payload, secret=WEBHOOK_SECRET, timestamp=t)
    header = f"t={t},v1={old},v1={good},v0=deadbeef"
    assert post_webhook(client, payload, header).status_code == 200
    assert Subscription.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("garbage", id="malformed"),
        pytest.param("t=notanumber,v1=abc", id="bad-timestamp"),
        pytest.param("v1=abc", id="no-timestamp"),
        pytest.param(lambda p: sign(p, secret="whsec_wrong"), id="wrong-secret"),
        pytest.param(lambda p: sign(p).replace("v1=", "v0="), id="only-v0"),
        pytest.param(lambda p: sign(p + b" "), id="other-payload"),
        pytest.param(lambda p: sign(p, timestamp=int(time.time()) - 301), id="stale"),
        pytest.param(lambda p: sign(p, timestamp=int(time.time()) + 301), id="future"),
    ],
)
def test_bad_missing_or_stale_signature_is_refused_with_400(
    client, user, plans, webhook_secret, header
):
    payload = stripe_event(
        "customer.subscription.created",
        subscription_object(user),
        event_id="evt_bad",
        created=T0,
    )
    signature = header(payload) if callable(header) else header
    response = post_webhook(client, payload, signature)
    assert response.status_code == 400
    assert Subscription.objects.count() == 0
    assert ProcessedWebhookEvent.objects.count() == 0


def test_signature_inside_tolerance_is_accepted(client, user, plans, webhook_secret):
    payload = stripe_event(
        "customer.subscription.created",
        subscription_object(user),
        event_id="evt_ok",
        created=T0,
    )
    assert (
        post_webhook(client, payload, sign(payload, timestamp=int(time.time()) - 290)).status_code
        == 200
    )


@pytest.mark.parametrize("secret", ["", "  "])
def test_no_configured_secret_refuses_everything_as_not_configured(
    client, user, plans, settings, secret
):
    settings.STRIPE_WEBHOOK_SECRET = secret
    payload = stripe_event(
        "customer.subscription.created", subscription_object(user), event_id="e", created=T0
    )
    # even a body signed with that (empty) secret: said as what it is, not "invalid signature"
    response = post_webhook(client, payload, sign(payload, secret=secret))
    assert response.status_code == 404
    assert response.json() == {"error": "payments are not configured"}
    assert ProcessedWebhookEvent.objects.count() == 0
    assert Subscription.objects.count() == 0


def test_tampered_body_with_valid_looking_json_is_refused(client, user, plans, webhook_secret):
    payload = stripe_event(
        "customer.subscription.created", subscription_object(user), event_id="evt_t", created=T0
    )
    header = sign(payload)
    tampered = payload.replace(b'"active"', b'"trialing"')
    assert post_webhook(client, tampered, header).status_code == 400


def test_signed_but_not_an_event_is_400(client, webhook_secret, db):
    for payload in (b"not json", b"[1, 2]", json.dumps({"id": "evt_x"}).encode()):
        assert post_webhook(client, payload, sign(payload)).status_code == 400
    assert ProcessedWebhookEvent.objects.count() == 0


def test_webhook_only_accepts_post(client, db):
    assert client.get("/webhooks/stripe/").status_code == 405


def test_unknown_event_type_is_acknowledged(client, webhook_secret, db):
    response = deliver(client, "customer.created", {"id": "cus_1"}, event_id="evt_u", created=T0)
    assert response.status_code == 200
    assert ProcessedWebhookEvent.objects.filter(event_id="evt_u").exists()


# --- once per event id ----------------------------------------------------------------------


def test_replayed_event_is_a_no_op(client, user, plans, webhook_secret):
    # given an applied payment failure
    deliver(
        client,
        "customer.subscription.created",
        subscription_object(user),
        event_id="e1",
        created=T0,
    )
    failed = {"id": "in_1", "object": "invoice", "subscription": "sub_1", "customer": "cus_1"}
    first = deliver(client, "invoice.payment_failed", failed, event_id="e2", created=T0 + 5)
    assert Subscription.objects.get().status == SubscriptionStatus.PAST_DUE
    # and support restoring access by hand afterwards
    Subscription.objects.update(status=SubscriptionStatus.ACTIVE, past_due_since=None)
    # when Stripe delivers the same event again (with a fresh, valid signature)
    again = deliver(client, "invoice.payment_failed", failed, event_id="e2", created=T0 + 5)
    # then it is acknowledged and not applied a second time
    assert first.status_code == again.status_code == 200
    assert again.json() == {"received": True, "duplicate": True}
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    assert ProcessedWebhookEvent.objects.filter(event_id="e2").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_are_processed_once(user, webhook_secret):
    plan = make_plan("basic", tier=1)
    assert plan.pk
    payload = stripe_event(
        "customer.subscription.created",
        subscription_object(user),
        event_id="evt_race",
        created=T0,
    )
    header = sign(payload)
    barrier = threading.Barrier(6)
    results: list[dict] = []

    def send() -> None:
        try:
            barrier.wait()
            results.append(post_webhook(Client(), payload, header).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert sorted(r["duplicate"] for r in results) == [False] + [True] * 5
    assert ProcessedWebhookEvent.objects.filter(event_id="evt_race").count() == 1
    assert Subscription.objects.count() == 1


# --- out of order: the newest state wins ----------------------------------------------------


def test_older_subscription_event_arriving_late_is_ignored(client, user, plans, webhook_secret):
    # Stripe sent created (active) then deleted (canceled); they arrive the other way round.
    canceled = subscription_object(user, status="canceled", canceled_at=T0 + 10)
    deliver(client, "customer.subscription.deleted", canceled, event_id="e_del", created=T0 + 10)
    deliver(
        client,
        "customer.subscription.created",
        subscription_object(user),
        event_id="e_new",
        created=T0,
    )
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.CANCELED
    assert subscription.canceled_at == at(T0 + 10)


def test_newer_event_replaces_older_state(client, user, plans, webhook_secret):
    deliver(
        client, "customer.subscription.created", subscription_object(user), event_id="a", created=T0
    )
    upgraded = subscription_object(user, price="price_pro", cancel_at_period_end=True)
    deliver(client, "customer.subscription.updated", upgraded, event_id="b", created=T0 + 1)
    subscription = Subscription.objects.get()
    assert subscription.plan == plans["pro"]
    assert subscription.cancel_at_period_end is True


def test_same_second_events_keep_the_later_kind(client, user, plans, webhook_secret):
    # created (incomplete) and updated (active) share a timestamp and arrive reversed.
    deliver(
        client, "customer.subscription.updated", subscription_object(user), event_id="u", created=T0
    )
    incomplete = subscription_object(user, status="incomplete")
    deliver(client, "customer.subscription.created", incomplete, event_id="c", created=T0)
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE


def test_late_invoice_paid_does_not_undo_a_newer_past_due(client, user, plans, webhook_secret):
    deliver(
        client, "customer.subscription.created", subscription_object(user), event_id="c", created=T0
    )
    past_due = subscription_object(user, status="past_due")
    deliver(client, "customer.subscription.updated", past_due, event_id="u", created=T0 + 20)
    paid = {
        "id": "in_old",
        "subscription": "sub_1",
        "lines": {"data": [{"period": {"start": T0, "end": T0 + 30 * 86400}}]},
    }
    deliver(client, "invoice.paid", paid, event_id="p", created=T0 + 5)
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert subscription.past_due_since == at(T0 + 20)


def test_payment_failure_then_recovery(client, user, plans, webhook_secret):
    deliver(
        client, "customer.subscription.created", subscription_object(user), event_id="c", created=T0
    )
    # given a failed renewal
    failed = {"id": "in_1", "object": "invoice", "subscription": "sub_1"}
    deliver(client, "invoice.payment_failed", failed, event_id="f", created=T0 + 10)
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert subscription.past_due_since == at(T0 + 10)
    # when the retry succeeds (new API shape: the subscription under parent)
    paid = {
        "id": "in_1",
        "object": "invoice",
        "parent": {"subscription_details": {"subscription": "sub_1"}},
        "lines": {"data": [{"period": {"start": T0 + 30 * 86400, "end": T0 + 60 * 86400}}]},
    }
    deliver(client, "invoice.paid", paid, event_id="p", created=T0 + 20)
    # then
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.past_due_since is None
    assert subscription.current_period_end == at(T0 + 60 * 86400)


def test_checkout_completed_before_or_after_subscription_created(
    client, user, plans, webhook_secret
):
    session = {
        "id": "cs_1",
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": str(user.pk),
        "customer": "cus_1",
        "subscription": "sub_1",
        "metadata": {"user_id": str(user.pk), "plan_slug": "basic"},
    }
    # checkout first: the subscription is known but not yet paid for
    deliver(client, "checkout.session.completed", session, event_id="cs", created=T0 + 2)
    subscription = Subscription.objects.get()
    assert (subscription.user, subscription.plan) == (user, plans["basic"])
    assert subscription.status == SubscriptionStatus.INCOMPLETE
    assert subscription.provider_customer_id == "cus_1"
    # the subscription's own (earlier) event still applies: the row had no state yet
    deliver(
        client, "customer.subscription.created", subscription_object(user), event_id="c", created=T0
    )
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    # a second checkout event for the same subscription does not touch its state
    deliver(client, "checkout.session.completed", session, event_id="cs2", created=T0 + 3)
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE


def test_period_on_subscription_items_in_newer_api_versions(client, user, plans, webhook_secret):
    obj = subscription_object(user)
    del obj["current_period_start"], obj["current_period_end"]
    obj["items"]["data"][0].update(current_period_start=T0, current_period_end=T0 + 86400)
    deliver(client, "customer.subscription.created", obj, event_id="c", created=T0)
    assert Subscription.objects.get().current_period_end == at(T0 + 86400)


def test_event_for_unknown_customer_is_acknowledged_and_ignored(client, plans, webhook_secret, db):
    obj = {
        "id": "sub_x",
        "customer": "cus_unknown",
        "status": "active",
        "items": {"data": [{"price": {"id": "price_basic"}}]},
    }
    response = deliver(client, "customer.subscription.created", obj, event_id="x", created=T0)
    assert response.status_code == 200
    assert Subscription.objects.count() == 0


def test_later_subscription_of_a_known_customer_maps_by_customer(
    client, user, plans, webhook_secret
):
    deliver(
        client, "customer.subscription.created", subscription_object(user), event_id="a", created=T0
    )
    second = subscription_object(user, sub_id="sub_2", price="price_pro", metadata={})
    deliver(client, "customer.subscription.created", second, event_id="b", created=T0 + 1)
    assert Subscription.objects.get(provider_subscription_id="sub_2").user == user


def test_grace_is_counted_from_the_failure(settings, client, user, plans, webhook_secret):
    from membership.entitlement import access_deadline

    deliver(
        client, "customer.subscription.created", subscription_object(user), event_id="c", created=T0
    )
    failed = {"id": "in_1", "subscription": "sub_1"}
    deliver(client, "invoice.payment_failed", failed, event_id="f", created=T0 + 10)
    subscription = Subscription.objects.get()
    assert access_deadline(subscription) == at(T0 + 10) + timedelta(days=3)


def _session(user, sub_id="sub_f"):
    return {
        "id": "cs_f",
        "mode": "subscription",
        "client_reference_id": str(user.pk),
        "customer": "cus_f",
        "subscription": sub_id,
        "metadata": {"user_id": str(user.pk), "plan_slug": "basic"},
    }


def test_checkout_completed_reads_the_subscription_from_stripe(client, user, plans, stripe_standin):
    # given Stripe knows the paid subscription, but its own events have not arrived yet
    stripe_standin.add_subscription(
        "sub_f",
        customer="cus_f",
        current_period_end=T0 + 30 * 86400,
        items={"data": [{"price": {"id": "price_basic"}}]},
    )
    # when checkout.session.completed arrives
    deliver(client, "checkout.session.completed", _session(user), event_id="cs", created=T0)
    # then the subscription is active at once, read with the secret key from the API
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_end == at(T0 + 30 * 86400)
    (request,) = stripe_standin.requests
    assert (request.method, request.path) == ("GET", "/v1/subscriptions/sub_f")
    # and the late subscription.created of that same second does not undo it
    late = subscription_object(user, status="incomplete", sub_id="sub_f")
    deliver(client, "customer.subscription.created", late, event_id="c", created=T0)
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    # while a genuinely newer event still applies
    deliver(
        client,
        "customer.subscription.deleted",
        subscription_object(user, status="canceled", sub_id="sub_f"),
        event_id="d",
        created=T0 + 1,
    )
    assert Subscription.objects.get().status == SubscriptionStatus.CANCELED


def test_checkout_completed_when_stripe_cannot_be_read(client, user, plans, stripe_standin):
    # the stand-in does not know sub_missing: 404, so the row waits for the events
    response = deliver(
        client,
        "checkout.session.completed",
        _session(user, "sub_missing"),
        event_id="cs",
        created=T0,
    )
    assert response.status_code == 200
    assert Subscription.objects.get().status == SubscriptionStatus.INCOMPLETE


def test_checkout_completed_when_stripe_is_slow(client, user, plans, stripe_standin, settings):
    # given Stripe answers later than our timeout
    settings.STRIPE_API_TIMEOUT = 0.3
    stripe_standin.add_subscription("sub_f", customer="cus_f")
    stripe_standin.delay = 3.0
    # when checkout.session.completed arrives
    started = time.monotonic()
    response = deliver(
        client, "checkout.session.completed", _session(user), event_id="cs", created=T0
    )
    # then the webhook answers in time after one short attempt; the row waits for events
    assert response.status_code == 200
    assert time.monotonic() - started < 2.0
    assert len(stripe_standin.requests) == 1
    assert Subscription.objects.get().status == SubscriptionStatus.INCOMPLETE

"""subscribe / cancelSubscription / plans / me.subscription through /graphql/, with the dev
provider and with Stripe's REST API played by a local stand-in."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import stripe
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError
from membership import services
from membership.models import Subscription, SubscriptionStatus
from membership.providers import DevProvider, StripeProvider, get_payment_provider
from membership.tests.fixtures import (
    make_article,
    make_plan,
    make_subscription,
    post_webhook,
    sign,
    stripe_event,
)

SUBSCRIBE = """
mutation Subscribe($plan: String!) {
  subscribe(planSlug: $plan) {
    checkoutUrl
    subscription { status plan { slug tier } currentPeriodEnd cancelAtPeriodEnd provider active }
    errors { field code message }
  }
}
"""
CANCEL = """
mutation { cancelSubscription {
  subscription { status cancelAtPeriodEnd active accessUntil }
  errors { field code message }
} }
"""
ME = "{ me { subscription { status plan { slug } cancelAtPeriodEnd active provider } } }"
PLANS = "{ plans { slug name description price currency interval tier } }"
ARTICLE = "query($slug: String!) { article(slug: $slug) { locked body } }"


@pytest.fixture
def plans(db):
    return {
        "basic": make_plan("basic", tier=1),
        "pro": make_plan("pro", tier=2, interval="year"),
        "legacy": make_plan("legacy", tier=1, active=False),
        "no-price": make_plan("no-price", tier=1, stripe_price_id=""),
    }


def errors(result, name):
    return [(e["field"], e["code"]) for e in result.data[name]["errors"]]


# --- plans and me.subscription ------------------------------------------------------------


def test_plans_lists_active_plans(gql, plans):
    result = gql(PLANS)
    assert result.errors == []
    assert [p["slug"] for p in result.data["plans"]] == ["basic", "no-price", "pro"]
    assert result.data["plans"][0] == {
        "slug": "basic",
        "name": "Basic",
        "description": "The basic plan.",
        "price": 500,
        "currency": "usd",
        "interval": "MONTH",
        "tier": 1,
    }
    assert result.data["plans"][2]["interval"] == "YEAR"


def test_me_subscription_is_null_without_one(gql, user, access_token):
    assert gql(ME, token=access_token).data == {"me": {"subscription": None}}


def test_me_subscription_prefers_the_granting_one(gql, user, access_token, plans):
    make_subscription(user, plans["basic"])
    make_subscription(user, plans["pro"], status=SubscriptionStatus.CANCELED)
    me = gql(ME, token=access_token).data["me"]["subscription"]
    assert me == {
        "status": "ACTIVE",
        "plan": {"slug": "basic"},
        "cancelAtPeriodEnd": False,
        "active": True,
        "provider": "DEV",
    }


# --- dev provider ---------------------------------------------------------------------------


def test_dev_subscribe_activates_at_once_and_unlocks(gql, user, access_token, plans):
    make_article("deep-dive", tier=2)
    assert gql(ARTICLE, {"slug": "deep-dive"}, token=access_token).data["article"]["locked"]
    # when
    result = gql(SUBSCRIBE, {"plan": "pro"}, token=access_token)
    # then
    payload = result.data["subscribe"]
    assert payload["errors"] == []
    assert payload["checkoutUrl"] is None
    assert payload["subscription"]["status"] == "ACTIVE"
    assert payload["subscription"]["plan"] == {"slug": "pro", "tier": 2}
    assert payload["subscription"]["active"] is True
    subscription = Subscription.objects.get()
    assert subscription.current_period_end is not None
    assert subscription.current_period_end > timezone.now() + timedelta(days=360)
    article = gql(ARTICLE, {"slug": "deep-dive"}, token=access_token).data["article"]
    assert article == {"locked": False, "body": "SECRET-BODY-deep-dive-full-text"}


def test_subscribing_twice_is_refused(gql, user, access_token, plans):
    gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    again = gql(SUBSCRIBE, {"plan": "pro"}, token=access_token)
    assert errors(again, "subscribe") == [("planSlug", "ALREADY_SUBSCRIBED")]
    assert again.data["subscribe"]["subscription"] is None
    assert Subscription.objects.count() == 1


def test_a_lapsed_subscription_does_not_block_a_new_one(gql, user, access_token, plans):
    make_subscription(user, plans["basic"], period_end=timezone.now() - timedelta(days=1))
    result = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    assert result.data["subscribe"]["errors"] == []
    assert Subscription.objects.count() == 2


@pytest.mark.parametrize("slug", ["nope", "legacy", ""])
def test_unknown_or_inactive_plan(gql, user, access_token, plans, slug):
    result = gql(SUBSCRIBE, {"plan": slug}, token=access_token)
    assert errors(result, "subscribe") == [("planSlug", "PLAN_NOT_FOUND")]
    assert Subscription.objects.count() == 0


def test_only_a_verified_email_may_subscribe(gql, user, access_token, plans):
    User.objects.filter(pk=user.pk).update(email_verified=False)
    result = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    assert errors(result, "subscribe") == [(None, "EMAIL_NOT_VERIFIED")]
    assert Subscription.objects.count() == 0


def test_anonymous_cannot_subscribe_or_cancel(gql, plans):
    assert gql(SUBSCRIBE, {"plan": "basic"}).error_codes == ["UNAUTHENTICATED"]
    assert gql(CANCEL).error_codes == ["UNAUTHENTICATED"]


def test_dev_cancel_sets_the_flag_and_keeps_access_until_period_end(gql, user, access_token, plans):
    make_article("members-only", tier=1)
    gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    result = gql(CANCEL, token=access_token)
    payload = result.data["cancelSubscription"]
    assert payload["errors"] == []
    assert payload["subscription"]["cancelAtPeriodEnd"] is True
    assert payload["subscription"]["active"] is True
    assert (
        gql(ARTICLE, {"slug": "members-only"}, token=access_token).data["article"]["locked"]
        is False
    )
    # the period ends: locked on the next request
    Subscription.objects.update(current_period_end=timezone.now() - timedelta(seconds=1))
    assert gql(ARTICLE, {"slug": "members-only"}, token=access_token).data["article"] == {
        "locked": True,
        "body": None,
    }


def test_cancel_without_subscription(gql, user, access_token, plans):
    result = gql(CANCEL, token=access_token)
    assert errors(result, "cancelSubscription") == [(None, "SUBSCRIPTION_NOT_FOUND")]


def test_dev_provider_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        DevProvider()
    with pytest.raises(ImproperlyConfigured):
        get_payment_provider("dev")


@pytest.mark.django_db(transaction=True)
def test_concurrent_dev_subscribes_create_one_subscription(user):
    plan = make_plan("basic", tier=1)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def subscribe() -> None:
        try:
            barrier.wait()
            services.subscription_start(user=user, plan_slug=plan.slug)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=subscribe) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ALREADY_SUBSCRIBED"] * 3 + ["ok"]
    assert Subscription.objects.count() == 1


# --- Stripe, against the local stand-in ----------------------------------------------------


def test_stripe_subscribe_creates_a_checkout_session(
    gql, user, access_token, plans, stripe_standin
):
    result = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    payload = result.data["subscribe"]
    assert payload["errors"] == []
    assert payload["subscription"] is None
    assert payload["checkoutUrl"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    # exactly one form-encoded, authenticated, idempotent call as Stripe expects it
    (request,) = stripe_standin.requests
    assert (request.method, request.path) == ("POST", "/v1/checkout/sessions")
    assert request.headers["authorization"] == f"Bearer {stripe_standin.secret_key}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["idempotency-key"]
    # at the API version the SDK's types were generated for
    assert request.headers["stripe-version"] == stripe.api_version
    assert request.form == {
        "mode": "subscription",
        "line_items[0][price]": "price_basic",
        "line_items[0][quantity]": "1",
        "success_url": "http://localhost:5173/membership/welcome?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://localhost:5173/plans",
        "client_reference_id": str(user.pk),
        "metadata[user_id]": str(user.pk),
        "metadata[plan_slug]": "basic",
        "subscription_data[metadata][user_id]": str(user.pk),
        "subscription_data[metadata][plan_slug]": "basic",
        "customer_email": "ada@example.com",
    }
    # nothing is active until Stripe says it was paid
    assert Subscription.objects.count() == 0


def test_two_subscribe_calls_reuse_one_checkout_session(
    gql, user, access_token, plans, stripe_standin
):
    # given a member who clicks "subscribe" in two tabs
    one = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token).data["subscribe"]
    two = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token).data["subscribe"]
    # then both calls carry one idempotency key, so Stripe answers with the same session
    first, second = stripe_standin.requests
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert str(user.pk) in first.headers["idempotency-key"]
    assert second.replayed
    assert one["checkoutUrl"] == two["checkoutUrl"]


def test_changed_checkout_details_within_the_window_get_a_new_session(
    gql, user, access_token, plans, stripe_standin
):
    # given a checkout started, then the member's email changes
    first = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token).data["subscribe"]
    User.objects.filter(pk=user.pk).update(email="ada.new@example.com")
    # when they subscribe again within the same 10 minutes
    second = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token).data["subscribe"]
    # then Stripe is not sent the old key with other parameters (an idempotency_error)
    assert second["errors"] == []
    assert second["checkoutUrl"] != first["checkoutUrl"]
    assert stripe_standin.requests[-1].form["customer_email"] == "ada.new@example.com"


def test_stripe_checkout_then_webhooks_activate(
    gql, client, user, access_token, plans, stripe_standin
):
    make_article("members-only", tier=1)
    gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    now = int(time.time())
    session = {
        "id": "cs_1",
        "mode": "subscription",
        "client_reference_id": str(user.pk),
        "customer": "cus_9",
        "subscription": "sub_9",
        "metadata": {"user_id": str(user.pk), "plan_slug": "basic"},
    }
    subscription = {
        "id": "sub_9",
        "customer": "cus_9",
        "status": "active",
        "current_period_start": now,
        "current_period_end": now + 30 * 86400,
        "cancel_at_period_end": False,
        "items": {"data": [{"price": {"id": "price_basic"}}]},
        "metadata": {"user_id": str(user.pk), "plan_slug": "basic"},
    }
    for event_id, kind, obj in (
        ("evt_a", "checkout.session.completed", session),
        ("evt_b", "customer.subscription.created", subscription),
    ):
        payload = stripe_event(kind, obj, event_id=event_id, created=now)
        assert post_webhook(client, payload, sign(payload)).status_code == 200
    me = gql(ME, token=access_token).data["me"]["subscription"]
    assert me["status"] == "ACTIVE" and me["provider"] == "STRIPE" and me["active"] is True
    assert (
        gql(ARTICLE, {"slug": "members-only"}, token=access_token).data["article"]["locked"]
        is False
    )


def test_returning_stripe_customer_is_reused(gql, user, access_token, plans, stripe_standin):
    make_subscription(
        user,
        plans["basic"],
        status=SubscriptionStatus.CANCELED,
        provider="stripe",
        provider_customer_id="cus_returning",
        provider_subscription_id="sub_old",
    )
    gql(SUBSCRIBE, {"plan": "pro"}, token=access_token)
    (request,) = stripe_standin.requests
    assert request.form["customer"] == "cus_returning"
    assert "customer_email" not in request.form


def test_plan_without_stripe_price_is_not_sold_through_stripe(
    gql, user, access_token, plans, stripe_standin
):
    result = gql(SUBSCRIBE, {"plan": "no-price"}, token=access_token)
    assert errors(result, "subscribe") == [("planSlug", "PLAN_NOT_FOUND")]
    assert stripe_standin.requests == []


def test_stripe_5xx_is_retried_with_the_same_idempotency_key(
    gql, user, access_token, plans, stripe_standin
):
    stripe_standin.fail_next(500)
    result = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    assert result.data["subscribe"]["checkoutUrl"].startswith("https://checkout.stripe.com/")
    first, second = stripe_standin.requests
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]


def test_stripe_outage_is_a_payload_error_without_secrets(
    gql, user, access_token, plans, stripe_standin, caplog
):
    stripe_standin.fail_next(503, 503, 503)
    result = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    assert errors(result, "subscribe") == [(None, "PAYMENT_PROVIDER_UNAVAILABLE")]
    assert len(stripe_standin.requests) == 3
    assert stripe_standin.secret_key not in result.response.content.decode()
    assert stripe_standin.secret_key not in caplog.text


def test_stripe_unreachable_is_a_payload_error(
    gql, user, access_token, plans, stripe_standin, settings
):
    from api.testing import free_port

    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    result = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    assert errors(result, "subscribe") == [(None, "PAYMENT_PROVIDER_UNAVAILABLE")]


def test_stripe_refusal_is_not_retried(gql, user, access_token, plans, stripe_standin):
    stripe_standin.secret_key = "sk_test_rotated"  # our key is now wrong: 401
    result = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    assert errors(result, "subscribe") == [(None, "PAYMENT_PROVIDER_UNAVAILABLE")]
    assert len(stripe_standin.requests) == 1


def test_stripe_cancel_at_period_end(gql, user, access_token, plans, stripe_standin):
    make_subscription(
        user,
        plans["basic"],
        provider="stripe",
        provider_customer_id="cus_1",
        provider_subscription_id="sub_live",
    )
    stripe_standin.add_subscription("sub_live", customer="cus_1")
    result = gql(CANCEL, token=access_token)
    payload = result.data["cancelSubscription"]
    assert payload["errors"] == []
    assert payload["subscription"]["cancelAtPeriodEnd"] is True
    (request,) = stripe_standin.requests
    assert (request.method, request.path) == ("POST", "/v1/subscriptions/sub_live")
    assert request.form == {"cancel_at_period_end": "true"}
    assert request.headers["idempotency-key"]
    assert stripe_standin.subscriptions["sub_live"]["cancel_at_period_end"] is True
    assert Subscription.objects.get().cancel_at_period_end is True
    # cancelling again changes nothing and calls Stripe no more
    again = gql(CANCEL, token=access_token)
    assert again.data["cancelSubscription"]["errors"] == []
    assert len(stripe_standin.requests) == 1


def test_stripe_cancel_failure_leaves_the_subscription_as_it_was(
    gql, user, access_token, plans, stripe_standin, caplog
):
    make_subscription(user, plans["basic"], provider="stripe", provider_subscription_id="sub_gone")
    result = gql(CANCEL, token=access_token)  # the stand-in does not know sub_gone: 404
    assert errors(result, "cancelSubscription") == [(None, "PAYMENT_PROVIDER_UNAVAILABLE")]
    assert Subscription.objects.get().cancel_at_period_end is False
    # Stripe's error body is read: its code and request id reach the log for support
    assert "InvalidRequestError status=404 code=resource_missing request_id=req_" in caplog.text
    assert len(stripe_standin.requests) == 1  # a 404 is not retried


def test_stripe_asking_not_to_retry_is_obeyed(gql, user, access_token, plans, stripe_standin):
    stripe_standin.fail_next(500, should_retry=False)
    result = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    assert errors(result, "subscribe") == [(None, "PAYMENT_PROVIDER_UNAVAILABLE")]
    assert len(stripe_standin.requests) == 1


def test_slow_stripe_times_out_and_is_retried_with_the_same_key(
    gql, user, access_token, plans, stripe_standin, settings
):
    settings.STRIPE_API_TIMEOUT = 0.3
    stripe_standin.delay = 3.0
    started = time.monotonic()
    result = gql(SUBSCRIBE, {"plan": "basic"}, token=access_token)
    elapsed = time.monotonic() - started
    assert errors(result, "subscribe") == [(None, "PAYMENT_PROVIDER_UNAVAILABLE")]
    # three attempts of 0.3 s and the SDK's backoff between them, not three times 3 s
    assert elapsed < 4.0
    assert len(stripe_standin.requests) == 3
    assert len({r.headers["idempotency-key"] for r in stripe_standin.requests}) == 1
    assert all(r.replayed for r in stripe_standin.requests[1:])


def test_stripe_provider_reads_a_subscription_through_the_sdk(stripe_standin):
    stripe_standin.add_subscription(
        "sub_read", status="trialing", items={"object": "list", "data": [{"price": "price_pro"}]}
    )
    provider = StripeProvider()
    state = provider.read_subscription("sub_read")
    assert state is not None
    assert (state.subscription_id, state.status, state.plan.price_id) == (
        "sub_read",
        SubscriptionStatus.TRIALING,
        "price_pro",
    )
    (request,) = stripe_standin.requests
    assert (request.method, request.path) == ("GET", "/v1/subscriptions/sub_read")
    assert "idempotency-key" not in request.headers
    assert stripe_standin.secret_key not in repr(provider)
    # unknown to Stripe: None, not an exception
    assert provider.read_subscription("sub_nope") is None

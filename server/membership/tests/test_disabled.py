"""Payments turned off (PAYMENTS_ENABLED false: PAYMENT_PROVIDER and the Stripe keys
empty): subscribe and cancelSubscription say so at once and never call a provider, the
webhook says it is not configured, and plans and me.subscription still read."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from membership.models import ProcessedWebhookEvent, Subscription
from membership.tests.fixtures import (
    WEBHOOK_SECRET,
    make_plan,
    make_subscription,
    post_webhook,
    sign,
    stripe_event,
)
from membership.tests.test_subscribe import CANCEL, ME, PLANS, SUBSCRIBE

ROOT = Path(__file__).resolve().parents[3]
CALL_TIMEOUT = 5.0
OFF = override_settings(PAYMENTS_ENABLED=False)
DISABLED = {
    "field": None,
    "code": "PAYMENTS_DISABLED",
    "message": "Payments are not available on this server.",
}


@pytest.fixture
def plans(db):
    return {"basic": make_plan("basic", tier=1), "pro": make_plan("pro", tier=2)}


@pytest.fixture
def silent_port_url() -> Iterator[str]:
    """A URL on 127.0.0.1 that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def unconfigured(settings, silent_port_url):
    """Payments as a production deployment leaves them when nothing is set, with Stripe's
    API moved where a call would hang for the whole timeout."""
    settings.PAYMENTS_ENABLED = False
    settings.PAYMENT_PROVIDER = ""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = silent_port_url
    settings.STRIPE_API_TIMEOUT = CALL_TIMEOUT


def _call(gql, query: str, name: str, variables: dict | None = None, *, token: str) -> dict:
    began = time.monotonic()
    result = gql(query, variables, token=token)
    # Well under what a single call to an unanswering provider would take.
    assert time.monotonic() - began < CALL_TIMEOUT - 1
    assert result.status == 200 and result.errors == [], result.body
    return result.data[name]


def test_subscribe_is_refused_on_an_unconfigured_server(
    gql, user, access_token, plans, unconfigured
):
    payload = _call(gql, SUBSCRIBE, "subscribe", {"plan": "basic"}, token=access_token)

    assert payload == {"checkoutUrl": None, "subscription": None, "errors": [DISABLED]}
    assert not Subscription.objects.exists()


def test_subscribe_calls_no_provider_and_counts_nothing(
    gql, user, access_token, plans, stripe_standin
):
    # Stripe set up, payments switched off: the stand-in sees no request. 11 attempts, one
    # more than `subscribe` allows an account per hour.
    with OFF:
        for _ in range(11):
            payload = _call(gql, SUBSCRIBE, "subscribe", {"plan": "basic"}, token=access_token)
            assert payload["errors"] == [DISABLED]
    assert stripe_standin.requests == []

    # On again, the same account is not rate limited: nothing was counted.
    payload = _call(gql, SUBSCRIBE, "subscribe", {"plan": "basic"}, token=access_token)
    assert payload["errors"] == []
    assert payload["checkoutUrl"]


def test_the_switch_comes_before_the_other_checks(gql, user, access_token, plans):
    # An unknown plan (or an unverified address) is what on would say; off, the switch is.
    user.email_verified = False
    user.save(update_fields=["email_verified"])
    with OFF:
        payload = _call(gql, SUBSCRIBE, "subscribe", {"plan": "no-such"}, token=access_token)
        assert payload["errors"] == [DISABLED]
        payload = _call(gql, CANCEL, "cancelSubscription", token=access_token)
        assert payload["errors"] == [DISABLED]


def test_cancel_is_refused_and_leaves_the_subscription_as_it_was(
    gql, user, access_token, plans, stripe_standin
):
    # given a Stripe subscription made while payments were on
    make_subscription(user, plans["basic"], provider="stripe", provider_subscription_id="sub_1")
    stripe_standin.add_subscription("sub_1")

    with OFF:
        payload = _call(gql, CANCEL, "cancelSubscription", token=access_token)

    assert payload == {"subscription": None, "errors": [DISABLED]}
    assert stripe_standin.requests == []
    assert Subscription.objects.get().cancel_at_period_end is False


def test_cancel_is_refused_on_an_unconfigured_server(gql, user, access_token, plans, unconfigured):
    # StripeProvider() could not even be built here: the old answer was a 500.
    make_subscription(user, plans["basic"], provider="stripe", provider_subscription_id="sub_1")

    payload = _call(gql, CANCEL, "cancelSubscription", token=access_token)

    assert payload["errors"] == [DISABLED]
    assert Subscription.objects.get().cancel_at_period_end is False


def test_plans_and_the_viewers_subscription_still_read(
    gql, user, access_token, plans, unconfigured
):
    make_subscription(user, plans["pro"])

    listed = gql(PLANS)
    assert listed.errors == []
    assert [plan["slug"] for plan in listed.data["plans"]] == ["basic", "pro"]
    me = gql(ME, token=access_token)
    assert me.errors == []
    assert me.data["me"]["subscription"]["plan"] == {"slug": "pro"}


def test_the_webhook_says_payments_are_not_configured(client, db, unconfigured):
    payload = stripe_event("customer.created", {"id": "cus_1"}, event_id="evt_off", created=1)

    response = post_webhook(client, payload, sign(payload))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "payments are not configured"}
    assert not ProcessedWebhookEvent.objects.exists()


def test_the_webhook_is_off_with_payments_even_with_a_secret_left_set(client, db, settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    payload = stripe_event("customer.created", {"id": "cus_1"}, event_id="evt_x", created=1)

    with OFF:
        response = post_webhook(client, payload, sign(payload))
    assert response.status_code == 404
    assert response.json() == {"error": "payments are not configured"}
    assert not ProcessedWebhookEvent.objects.exists()

    # On, the same signed event is accepted.
    assert post_webhook(client, payload, sign(payload)).status_code == 200


def test_development_defaults_keep_payments_on_with_the_dev_provider():
    # A fresh process with no PAYMENT_* or STRIPE_* variable, as `manage.py runserver` starts.
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; "
            "print(s.PAYMENTS_ENABLED, s.PAYMENT_PROVIDER, repr(s.STRIPE_WEBHOOK_SECRET))",
        ],
        cwd=ROOT / "server",
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "dev", "''"]

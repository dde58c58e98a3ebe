"""Figures for POST /webhooks/stripe/ (not part of the suite; run it by path):

    .venv/bin/pytest -q -s server/membership/tests/bench_webhook.py

Mean time to verify, record and apply one signed customer.subscription.updated event, and
to acknowledge a replay, in process against PostgreSQL on 127.0.0.1.
"""

from __future__ import annotations

import time

from membership.models import ProcessedWebhookEvent
from membership.tests.fixtures import make_plan, post_webhook, sign, stripe_event

EVENTS = 200


def test_webhook_figures(client, user, webhook_secret):
    make_plan("basic", tier=1)
    now = int(time.time())
    payloads = [
        stripe_event(
            "customer.subscription.updated",
            {
                "id": "sub_bench",
                "customer": "cus_bench",
                "status": "active" if n % 2 else "past_due",
                "current_period_start": now,
                "current_period_end": now + 86400 * 30,
                "items": {"data": [{"price": {"id": "price_basic"}}]},
                "metadata": {"user_id": str(user.pk)},
            },
            event_id=f"evt_{n}",
            created=now + n,
        )
        for n in range(EVENTS)
    ]
    started = time.perf_counter()
    for payload in payloads:
        assert post_webhook(client, payload, sign(payload)).status_code == 200
    fresh_ms = (time.perf_counter() - started) / EVENTS * 1000
    started = time.perf_counter()
    for payload in payloads:
        assert post_webhook(client, payload, sign(payload)).json()["duplicate"] is True
    replay_ms = (time.perf_counter() - started) / EVENTS * 1000
    assert ProcessedWebhookEvent.objects.count() == EVENTS
    print(f"\nwebhook: {fresh_ms:.2f} ms/event applied, {replay_ms:.2f} ms/replay ({EVENTS} each)")

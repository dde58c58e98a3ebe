"""The entitlement rules, through the one module that owns them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from content.models import Article
from membership.entitlement import (
    Access,
    access_deadline,
    access_for_user,
    may_read_article,
    subscription_grants_access,
)
from membership.models import Plan, Subscription, SubscriptionStatus
from membership.tests.fixtures import make_plan, make_subscription


@pytest.fixture
def pro(db) -> Plan:
    return make_plan("pro", tier=2)


def test_free_articles_are_readable_by_everyone():
    assert Access().may_read(0)
    assert not Access().may_read(1)
    assert may_read_article(user=None, required_tier=0)
    assert not may_read_article(user=None, required_tier=1)


def test_tier_is_the_highest_granting_subscription(user, pro):
    basic = make_plan("basic", tier=1)
    make_subscription(user, basic)
    make_subscription(user, pro, status=SubscriptionStatus.UNPAID)
    assert access_for_user(user) == Access(tier=1)
    make_subscription(user, pro, status=SubscriptionStatus.TRIALING)
    assert access_for_user(user) == Access(tier=2)


def test_period_end_is_exclusive(user, pro):
    now = timezone.now()
    subscription = make_subscription(user, pro, period_end=now + timedelta(seconds=1))
    assert subscription_grants_access(subscription, now=now)
    assert not subscription_grants_access(subscription, now=now + timedelta(seconds=1))


def test_past_due_grace_follows_the_setting(settings, user, pro):
    settings.SUBSCRIPTION_PAST_DUE_GRACE = timedelta(hours=1)
    now = timezone.now()
    subscription = make_subscription(
        user, pro, status=SubscriptionStatus.PAST_DUE, past_due_since=now - timedelta(minutes=59)
    )
    assert access_deadline(subscription) == now + timedelta(minutes=1)
    assert subscription_grants_access(subscription, now=now)
    assert not subscription_grants_access(subscription, now=now + timedelta(minutes=2))


def test_past_due_never_outlives_period_end_plus_grace(user, pro):
    now = timezone.now()
    subscription = make_subscription(
        user,
        pro,
        status=SubscriptionStatus.PAST_DUE,
        period_end=now - timedelta(days=5),
        past_due_since=now - timedelta(hours=1),  # recorded late
    )
    assert not subscription_grants_access(subscription, now=now)


def test_missing_period_end_grants_nothing(user, pro):
    subscription = make_subscription(user, pro)
    Subscription.objects.filter(pk=subscription.pk).update(current_period_end=None)
    subscription.refresh_from_db()
    assert access_deadline(subscription) is None
    assert access_for_user(user) == Access()


def test_inactive_user_has_no_access(user, pro):
    make_subscription(user, pro)
    user.is_active = False
    assert access_for_user(user) == Access()


def test_seed_demo_is_idempotent(db, settings):
    call_command("seed_demo")
    first = list(Article.objects.values_list("slug", "published_at").order_by("slug"))
    call_command("seed_demo")
    assert list(Article.objects.values_list("slug", "published_at").order_by("slug")) == first
    assert Plan.objects.count() == 3
    assert Article.objects.filter(required_tier=0).count() == 2

"""The narrow per-request read of entitlement (`access_for_user_id`): one statement, the
same answers as the subscription objects give through `subscription_grants_access`."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from membership.entitlement import (
    ANONYMOUS,
    Access,
    access_for_user,
    access_for_user_id,
    subscription_grants_access,
)
from membership.models import Plan, SubscriptionStatus
from membership.tests.fixtures import make_plan, make_subscription


@pytest.fixture
def plans(db) -> dict[str, Plan]:
    return {"basic": make_plan("basic", tier=1), "pro": make_plan("pro", tier=2)}


def test_one_statement_for_the_user_and_their_subscriptions(user, plans):
    make_subscription(user, plans["basic"])
    make_subscription(user, plans["pro"])
    with CaptureQueriesContext(connection) as queries:
        assert access_for_user_id(str(user.pk)) == Access(tier=2)
    assert len(queries) == 1


def test_no_active_user_no_access(user, plans):
    make_subscription(user, plans["pro"])
    assert access_for_user_id(None) is None
    assert access_for_user_id("not-a-uuid") is None
    assert access_for_user_id(str(uuid.uuid4())) is None
    user.is_active = False
    user.save()
    assert access_for_user_id(str(user.pk)) is None


def test_a_user_without_a_plan_is_signed_in_with_the_free_tier(user, plans):
    assert access_for_user_id(str(user.pk)) == ANONYMOUS
    make_subscription(user, plans["pro"], status=SubscriptionStatus.CANCELED)
    make_subscription(user, plans["pro"], status=SubscriptionStatus.INCOMPLETE)
    assert access_for_user_id(str(user.pk)) == ANONYMOUS


@pytest.mark.parametrize(
    ("status", "end_in", "past_due_for", "grants"),
    [
        (SubscriptionStatus.ACTIVE, timedelta(days=1), None, True),
        (SubscriptionStatus.ACTIVE, timedelta(seconds=-1), None, False),
        (SubscriptionStatus.TRIALING, timedelta(days=1), None, True),
        (SubscriptionStatus.PAST_DUE, timedelta(days=1), timedelta(days=1), True),
        (SubscriptionStatus.PAST_DUE, timedelta(days=10), timedelta(days=4), False),
        (SubscriptionStatus.PAST_DUE, timedelta(days=-4), None, False),
        (SubscriptionStatus.PAST_DUE, timedelta(days=-1), None, True),
        (SubscriptionStatus.UNPAID, timedelta(days=1), None, False),
    ],
)
def test_the_same_answer_as_the_subscription_objects(
    user, plans, settings, status, end_in, past_due_for, grants
):
    settings.SUBSCRIPTION_PAST_DUE_GRACE = timedelta(days=3)
    now = timezone.now()
    subscription = make_subscription(
        user,
        plans["pro"],
        status=status,
        period_end=now + end_in,
        past_due_since=None if past_due_for is None else now - past_due_for,
    )
    assert subscription_grants_access(subscription) is grants
    expected = Access(tier=2) if grants else ANONYMOUS
    assert access_for_user_id(str(user.pk)) == expected
    assert access_for_user(User.objects.get(pk=user.pk)) == expected

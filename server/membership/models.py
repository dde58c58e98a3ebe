"""Plans, subscriptions and the record of processed payment-provider webhooks."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class Interval(models.TextChoices):
    MONTH = "month", "Monthly"
    YEAR = "year", "Yearly"


class Plan(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    price = models.PositiveIntegerField(help_text="In minor units (cents).")
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=8, choices=Interval.choices, default=Interval.MONTH)
    tier = models.PositiveSmallIntegerField(help_text="Higher tiers unlock more articles.")
    active = models.BooleanField(default=True)
    stripe_price_id = models.CharField(
        max_length=255,
        blank=True,
        help_text="Stripe Price id (price_…) charged at checkout; Stripe webhooks map back by it.",
    )

    class Meta:
        ordering = ("tier", "price")
        constraints: ClassVar = [
            # Webhooks find the plan of a Stripe subscription by its price: one plan per price.
            models.UniqueConstraint(
                fields=["stripe_price_id"],
                condition=~models.Q(stripe_price_id=""),
                name="membership_plan_stripe_price_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SubscriptionStatus(models.TextChoices):
    """Stripe's own names, so that its events map one to one."""

    INCOMPLETE = "incomplete", "Incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete, expired"
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    CANCELED = "canceled", "Canceled"
    UNPAID = "unpaid", "Unpaid"
    PAUSED = "paused", "Paused"


class Provider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    DEV = "dev", "Development (free, immediate)"


class Subscription(models.Model):
    """One subscription of a user to a plan; a user may have several over time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(
        max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.INCOMPLETE
    )
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    # When the subscription last became past_due: the grace period counts from here.
    past_due_since = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    provider_subscription_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # Which provider event the stored state came from: (`created`, rank of the event type).
    # Events arrive out of order; one older than this is not applied.
    provider_state_at = models.DateTimeField(null=True, blank=True)
    provider_state_rank = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.plan_id} ({self.status})"


class ProcessedWebhookEvent(models.Model):
    """A provider event id seen once; the unique insert makes replays and races no-ops."""

    provider = models.CharField(max_length=16, choices=Provider.choices)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="membership_webhook_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"

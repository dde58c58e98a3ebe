"""Demo plans, articles and a demo user for the quick start. Safe to run again."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile, User
from content.models import Article
from membership.models import Plan

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-123"

PLANS = [
    {
        "slug": "basic-monthly",
        "name": "Basic",
        "price": 500,
        "tier": 1,
        "description": "Premium articles of tier 1.",
    },
    {
        "slug": "pro-monthly",
        "name": "Pro",
        "price": 1500,
        "tier": 2,
        "description": "Every article, including in-depth tier 2 pieces.",
    },
    {
        "slug": "pro-yearly",
        "name": "Pro (yearly)",
        "price": 15000,
        "tier": 2,
        "interval": "year",
        "description": "Pro, paid yearly: two months free.",
    },
]

ARTICLES = [
    ("welcome", "Welcome to Gatehouse", 0, "What this place is and how membership works."),
    (
        "refresh-tokens-explained",
        "Refresh tokens, explained",
        0,
        "Why short-lived access tokens and rotating refresh tokens beat long sessions.",
    ),
    (
        "passkeys-in-practice",
        "Passkeys in practice",
        1,
        "A field report on rolling out passkeys to a consumer app.",
    ),
    (
        "designing-entitlements",
        "Designing entitlements",
        1,
        "Plans, tiers and why entitlement is read live.",
    ),
    (
        "postgres-at-scale",
        "PostgreSQL at scale",
        2,
        "Connection pools, partial indexes and when to shard.",
    ),
]


class Command(BaseCommand):
    help = "Create demo plans, articles and a demo user (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates a known demo login; not in production")
        for plan in PLANS:
            # A Stripe test-mode price per plan may be given as STRIPE_PRICE_<SLUG>, e.g.
            # STRIPE_PRICE_BASIC_MONTHLY=price_…; without it the plan is dev-provider only.
            env_name = "STRIPE_PRICE_" + str(plan["slug"]).upper().replace("-", "_")
            price_id = os.environ.get(env_name)
            values = {**plan, **({"stripe_price_id": price_id} if price_id else {})}
            Plan.objects.update_or_create(slug=plan["slug"], defaults=values)
        now = timezone.now()
        for index, (slug, title, tier, summary) in enumerate(ARTICLES):
            body = "\n\n".join(
                [summary, f"This is the full text of “{title}”."]
                + [
                    f"Paragraph {n}: details only members with tier {tier} can read."
                    for n in range(3)
                ]
            )
            fields = {"title": title, "summary": summary, "body": body, "required_tier": tier}
            Article.objects.update_or_create(
                slug=slug,
                defaults=fields,
                # Set once: running the command again must not reorder the feed.
                create_defaults={
                    **fields,
                    "published_at": now - timedelta(days=len(ARTICLES) - index),
                },
            )
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, email_verified=True)
            Profile.objects.filter(user=user).update(display_name="Demo Member")
        self.stdout.write(
            f"demo data ready: {len(PLANS)} plans, {len(ARTICLES)} articles, "
            f"user {DEMO_EMAIL} / {DEMO_PASSWORD}"
        )

"""Seed the content benchmark: plans up to the top tier, a subscription granting the top
tier to the bench user (made by seed.py), and published articles of every tier.

Run through `manage.py shell` after seed.py (run_ratios.py, profile_articles.py).
BENCH_ARTICLES (60) articles, BENCH_BODY_CHARS (2000) characters of body each; every body
starts with "BENCH-BODY-" so that a run can check that bodies were really returned.
"""

from __future__ import annotations

import os
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from content.models import Article
from membership.models import Plan, Provider, Subscription, SubscriptionStatus

articles = int(os.environ.get("BENCH_ARTICLES", "60"))
body_chars = int(os.environ.get("BENCH_BODY_CHARS", "2000"))

now = timezone.now()
plans = [
    Plan.objects.create(
        slug=slug, name=slug.title(), price=500 * tier, tier=tier, stripe_price_id=f"price_{slug}"
    )
    for slug, tier in (("basic", 1), ("pro", 2))
]
top = max(plans, key=lambda plan: plan.tier)
Subscription.objects.create(
    user=User.objects.get(email="bench@example.com"),
    plan=top,
    status=SubscriptionStatus.ACTIVE,
    current_period_start=now - timedelta(days=10),
    current_period_end=now + timedelta(days=20),
    provider=Provider.DEV,
)
filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. "
Article.objects.bulk_create(
    Article(
        slug=f"article-{n}",
        title=f"Article number {n}",
        summary=f"The summary of article {n}.",
        body=(f"BENCH-BODY-{n} " + filler * (body_chars // len(filler) + 1))[:body_chars],
        required_tier=n % (top.tier + 1),
        published_at=now - timedelta(hours=n + 1),
    )
    for n in range(articles)
)
print(f"seeded {articles} articles (tiers 0-{top.tier}), a {top.slug} subscription")

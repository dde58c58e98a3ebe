"""Reads for content. Only published articles are ever visible."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from content.models import Article
from core.text import has_nul


def article_list_published() -> QuerySet[Article]:
    """Published articles, newest first (id breaks ties so pages never overlap)."""
    return Article.objects.filter(
        published_at__isnull=False, published_at__lte=timezone.now()
    ).order_by("-published_at", "-id")


def article_get_published(*, slug: str) -> Article | None:
    if has_nul(slug):  # no slug holds NUL, and PostgreSQL refuses to compare with one
        return None
    return article_list_published().filter(slug=slug).first()


def next_publication_after(moment: datetime) -> datetime | None:
    """When the next scheduled article becomes visible (its `published_at` is after
    `moment`), or None: until then every published list stays as it is."""
    return (
        Article.objects.filter(published_at__gt=moment)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )

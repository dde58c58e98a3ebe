"""Reads for content. Only published articles are ever visible."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from content.models import Article


def article_list_published() -> QuerySet[Article]:
    """Published articles, newest first (id breaks ties so pages never overlap)."""
    return Article.objects.filter(
        published_at__isnull=False, published_at__lte=timezone.now()
    ).order_by("-published_at", "-id")


def article_get_published(*, slug: str) -> Article | None:
    return article_list_published().filter(slug=slug).first()

"""Saving or deleting an article bumps the content version (content/versioning.py).

Bulk writes send no post_save (and QuerySet.delete one post_delete per row): the
QuerySet of `Article.objects` bumps for those (content/models.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from content.models import Article
from content.versioning import content_changed


def _article_changed(*, using: str | None = None, **_: Any) -> None:
    content_changed(using=using)


def connect_receivers() -> None:
    post_save.connect(_article_changed, sender=Article, dispatch_uid="content-version-save")
    post_delete.connect(_article_changed, sender=Article, dispatch_uid="content-version-delete")

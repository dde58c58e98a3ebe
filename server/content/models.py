"""Articles. Who may read a body is decided in membership/entitlement.py.

Every write to articles must bump the content version (content/versioning.py), or cached
answers of `articles`/`article` would outlive it: saves and deletes do through signals
(content/signals.py), and the bulk writes of `Article.objects` through ArticleQuerySet.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.db import models

from content.versioning import one_change


class ArticleQuerySet[M: models.Model](models.QuerySet[M]):
    """Bulk writes that bump the content version, as save() and delete() do.

    `update`, `delete`, `bulk_create` and `bulk_update` send no per-object post_save (delete
    sends one post_delete per row), so without this `Article.objects.filter(...).update(
    required_tier=1)` would leave the cached anonymous answers showing the body until
    CONTENT_CACHE_TTL. Each is one change: one bump (and one more on commit), none when no
    row was written.
    """

    def update(self, **kwargs: Any) -> int:
        with one_change(using=self.db) as change:
            rows = super().update(**kwargs)
            if not rows:
                change.unchanged()
        return rows

    update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        with one_change(using=self.db) as change:
            deleted = super().delete()
            if not deleted[0]:
                change.unchanged()
        return deleted

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]

    def bulk_create(
        self,
        objs: Iterable[M],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[M]:
        with one_change(using=self.db) as change:
            created = super().bulk_create(
                objs,
                batch_size=batch_size,
                ignore_conflicts=ignore_conflicts,
                update_conflicts=update_conflicts,
                update_fields=update_fields,
                unique_fields=unique_fields,
            )
            if not created:
                change.unchanged()
        return created

    bulk_create.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(
        self, objs: Iterable[M], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        with one_change(using=self.db) as change:
            rows = super().bulk_update(objs, fields, batch_size=batch_size)
            if not rows:
                change.unchanged()
        return rows

    bulk_update.alters_data = True  # type: ignore[attr-defined]


class Article(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=500, blank=True)
    body = models.TextField()
    required_tier = models.PositiveSmallIntegerField(default=0, help_text="0 is free.")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ("-published_at", "-id")

    def __str__(self) -> str:
        return self.title

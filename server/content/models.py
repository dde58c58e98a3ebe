"""Articles. Who may read a body is decided in membership/entitlement.py."""

from django.db import models


class Article(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=500, blank=True)
    body = models.TextField()
    required_tier = models.PositiveSmallIntegerField(default=0, help_text="0 is free.")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("-published_at", "-id")

    def __str__(self) -> str:
        return self.title

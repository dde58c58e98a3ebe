from django.db import models


class TimeStampedModel(models.Model):
    """Creation and last-change timestamps, kept by the database layer."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

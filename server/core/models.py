from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction


class TimeStampedModel(models.Model):
    """Creation and last-change timestamps, kept by the database layer."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def user_keyed(related_name: str) -> models.OneToOneField[Any, Any]:
    """The `user` of a model that holds one row per account, keyed by the account (its
    primary key is the user's) and deleted with it."""
    return models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name=related_name,
    )


def delete_in_batches(
    model: type[models.Model], next_ids: Callable[[int], list[Any]], *, batch_size: int
) -> int:
    """Delete the rows `next_ids(batch_size)` names, batch after batch, each batch in its
    own short transaction (so the server keeps writing meanwhile), until a batch comes back
    short; returns how many rows were deleted (cascades included). The one clean-up loop of
    the expired-session and security-log retention commands."""
    deleted = 0
    while True:
        ids = next_ids(batch_size)
        if not ids:
            return deleted
        with transaction.atomic():
            count, _ = model._default_manager.filter(pk__in=ids).delete()
        deleted += count
        if len(ids) < batch_size:
            return deleted

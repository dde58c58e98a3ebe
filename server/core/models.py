from collections.abc import Callable
from typing import Any

from django.db import models, transaction


class TimeStampedModel(models.Model):
    """Creation and last-change timestamps, kept by the database layer."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


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

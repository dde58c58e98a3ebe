"""Reads for operator commands."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django_tasks_db.models import DBTaskResult, get_date_max


def email_queue_longest_wait(*, now: datetime) -> timedelta | None:
    """How long the longest-waiting task that is due (READY, its run_after passed) has been
    due, or None when none is. A task waiting for its retry backoff is not due."""
    due = DBTaskResult.objects.ready().filter(~Q(run_after=get_date_max()))
    oldest = due.order_by("run_after").values_list("run_after", flat=True).first()
    asap = (
        DBTaskResult.objects.ready()
        .filter(run_after=get_date_max())
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    waits = [now - moment for moment in (oldest, asap) if moment is not None]
    return max(waits) if waits else None

"""Reads for tokens."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db.models import F

from accounts.models import User
from tokens.models import Session


def sessions_active(*, user: User, now: datetime) -> list[Session]:
    """The user's live sessions, most recently used first."""
    return list(Session.objects.live(now=now).filter(user=user).order_by("-last_used_at"))


def stale_session_ids(*, now: datetime, revoked_before: timedelta, limit: int) -> list[uuid.UUID]:
    """Sessions that can no longer be used and need not be kept for the record."""
    return list(
        Session.objects.stale(now=now, ended_before=revoked_before)
        .order_by(F("last_used_at").asc())
        .values_list("pk", flat=True)[:limit]
    )

"""Reads of the security log."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from securitylog.models import SecurityEvent


def security_events_of(*, user: User) -> QuerySet[SecurityEvent]:
    """The user's events, newest first (the id breaks ties, so cursors are exact)."""
    return SecurityEvent.objects.filter(user=user).order_by("-occurred_at", "-id")

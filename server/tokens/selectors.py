"""Reads for tokens."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q

from accounts.models import User
from tokens.models import GlobalTokenState, Session, UserTokenState


def _ended_by_user_state(**also: object) -> Exists:
    """The session was ended by its user's sign-out-everywhere (`also` narrows the mark)."""
    return Exists(
        UserTokenState.objects.filter(
            user_id=OuterRef("user_id"), tokens_valid_after__gt=OuterRef("created_at"), **also
        ).exclude(kept_session_id=OuterRef("pk"))
    )


def _ended_by_everyone_mark(**also: object) -> Exists:
    """The session was ended by `revoke_sessions` (`also` narrows the mark)."""
    return Exists(
        GlobalTokenState.objects.filter(sessions_valid_after__gt=OuterRef("created_at"), **also)
    )


def sessions_active(*, user: User, now: datetime) -> list[Session]:
    """The user's live sessions, most recently used first."""
    return list(
        Session.objects.filter(
            user=user,
            revoked_at__isnull=True,
            last_used_at__gt=now - settings.REFRESH_TOKEN_LIFETIME,
            created_at__gt=now - settings.SESSION_ABSOLUTE_LIFETIME,
        )
        .exclude(_ended_by_user_state())
        .exclude(_ended_by_everyone_mark())
        .order_by("-last_used_at")
    )


def stale_session_ids(*, now: datetime, revoked_before: timedelta, limit: int) -> list[uuid.UUID]:
    """Sessions that can no longer be used and need not be kept for the record."""
    cutoff = now - revoked_before
    stale = (
        Q(revoked_at__lte=cutoff)
        | Q(last_used_at__lte=now - settings.REFRESH_TOKEN_LIFETIME)
        | Q(created_at__lte=now - settings.SESSION_ABSOLUTE_LIFETIME)
        | Q(_ended_by_user_state(tokens_valid_after__lte=cutoff))
        | Q(_ended_by_everyone_mark(marked_at__lte=cutoff))
    )
    return list(
        Session.objects.filter(stale)
        .order_by(F("last_used_at").asc())
        .values_list("pk", flat=True)[:limit]
    )

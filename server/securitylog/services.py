"""Writes of the security log: recording an event (and spotting a new device), and
deleting old rows."""

from __future__ import annotations

import ipaddress
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from core.events import SecurityEventKind
from securitylog.devices import device_from_user_agent
from securitylog.models import SecurityEvent
from securitylog.tasks import new_device_notice_queue

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class EventData:
    """One `security_event`, checked and cut to what the columns hold."""

    kind: SecurityEventKind
    user_id: uuid.UUID
    ip_address: str | None
    user_agent: str
    method: str
    session_id: uuid.UUID | None
    occurred_at: datetime

    @classmethod
    def from_signal(
        cls,
        *,
        kind: object,
        user_id: object,
        ip_address: object = None,
        user_agent: object = "",
        method: object = "",
        session_id: object = None,
    ) -> EventData:
        """Raises ValueError for what cannot be recorded (an unknown kind, a bad user id);
        a malformed IP or session id is dropped rather than losing the event."""
        return cls(
            kind=SecurityEventKind(str(kind)),
            user_id=user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id)),
            ip_address=_ip_or_none(ip_address),
            user_agent=str(user_agent or "")[:300],
            method=str(method or "")[:32],
            session_id=_uuid_or_none(session_id),
            occurred_at=timezone.now(),
        )


def _ip_or_none(value: object) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value))) if value else None
    except ValueError:
        return None


def _uuid_or_none(value: object) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _event(data: EventData, kind: SecurityEventKind) -> SecurityEvent:
    device = device_from_user_agent(data.user_agent)
    return SecurityEvent.objects.create(
        user_id=data.user_id,
        kind=kind,
        occurred_at=data.occurred_at,
        method=data.method,
        ip_address=data.ip_address,
        user_agent=data.user_agent,
        device=device.summary if data.user_agent else "",
        device_key=device.key,
        session_id=data.session_id,
    )


@transaction.atomic
def security_event_record(*, data: EventData) -> list[SecurityEvent]:
    """Record the event; for a sign-in from a device this user never signed in from (and
    not their very first sign-in), also NEW_DEVICE, with a notice emailed in the same
    transaction. Returns the rows written (none when the account is gone)."""
    if data.kind is not SecurityEventKind.SIGN_IN:
        if not User.objects.filter(pk=data.user_id).exists():
            return []
        return [_event(data, data.kind)]
    # The user's row lock queues concurrent sign-ins of one user, so two first sign-ins
    # from a new device cannot both miss each other (one notice, not two). One statement:
    # the lock and both questions.
    device_key = device_from_user_agent(data.user_agent).key
    earlier = SecurityEvent.objects.filter(user_id=OuterRef("pk"), kind=SecurityEventKind.SIGN_IN)
    user = (
        User.objects.select_for_update(of=("self",))
        .filter(pk=data.user_id)
        .annotate(
            signed_in_before=Exists(earlier),
            known_device=Exists(earlier.filter(device_key=device_key)),
        )
        .first()
    )
    if user is None:
        return []
    signed_in_before = bool(user.signed_in_before)
    known_device = bool(user.known_device)
    written = [_event(data, SecurityEventKind.SIGN_IN)]
    if signed_in_before and not known_device:
        # A microsecond later, so that the log lists it right after (above) its sign-in.
        later = replace(data, occurred_at=data.occurred_at + timedelta(microseconds=1))
        notice = _event(later, SecurityEventKind.NEW_DEVICE)
        written.append(notice)
        new_device_notice_queue(event=notice)
    return written


def security_events_prune(
    *, older_than: timedelta, batch_size: int = 1000, now: datetime | None = None
) -> int:
    """Delete events older than `older_than`, `batch_size` rows per short transaction so
    the server keeps writing meanwhile; returns how many were deleted."""
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    while True:
        ids = list(
            SecurityEvent.objects.filter(occurred_at__lt=cutoff)
            .order_by("occurred_at")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            count, _ = SecurityEvent.objects.filter(pk__in=ids).delete()
        deleted += count
        if len(ids) < batch_size:
            return deleted

"""Writes of the security log: recording an event (and spotting a new device), and
deleting old rows."""

from __future__ import annotations

import functools
import ipaddress
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from core.events import SecurityEventKind
from core.models import delete_in_batches
from securitylog.devices import device_from_user_agent
from securitylog.models import SecurityEvent
from securitylog.tasks import new_device_notice_queue


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


def _columns(data: EventData, kind: SecurityEventKind) -> dict[str, object]:
    device = device_from_user_agent(data.user_agent)
    return {
        "id": uuid.uuid4(),
        "user_id": data.user_id,
        "kind": str(kind),
        "occurred_at": data.occurred_at,
        "method": data.method,
        "ip_address": data.ip_address,
        "user_agent": data.user_agent,
        "device": device.summary if data.user_agent else "",
        "device_key": device.key,
        "session_id": data.session_id,
    }


def _event(data: EventData, kind: SecurityEventKind) -> SecurityEvent:
    return SecurityEvent.objects.create(**_columns(data, kind))


@functools.cache
def _sign_in_sql() -> str:
    """One statement: insert the sign-in (if the account still exists) and say whether the
    user had signed in before, and from this device (as of before this row)."""
    quote = connection.ops.quote_name
    table = quote(SecurityEvent._meta.db_table)
    users = quote(User._meta.db_table)
    names = list(_COLUMN_NAMES)
    columns = ", ".join(quote(name) for name in names)
    values = ", ".join("%s::inet" if name == "ip_address" else "%s" for name in names)
    # Identifiers come from the models, quoted; every value is a bound parameter.
    return f"""
        WITH flags AS (
            SELECT
                EXISTS (SELECT 1 FROM {table} WHERE user_id = %s AND kind = %s) AS before,
                EXISTS (
                    SELECT 1 FROM {table} WHERE user_id = %s AND kind = %s AND device_key = %s
                ) AS known
        ), inserted AS (
            INSERT INTO {table} ({columns})
            SELECT {values} WHERE EXISTS (SELECT 1 FROM {users} WHERE id = %s)
            RETURNING 1
        )
        SELECT flags.before, flags.known, EXISTS (SELECT 1 FROM inserted) FROM flags
    """  # noqa: S608


_COLUMN_NAMES = (
    "id",
    "user_id",
    "kind",
    "occurred_at",
    "method",
    "ip_address",
    "user_agent",
    "device",
    "device_key",
    "session_id",
)


def _sign_in_in_one_statement(data: EventData) -> tuple[bool, bool, bool] | None:
    """(signed in before, from this device before, recorded) on PostgreSQL, in one
    statement outside any transaction; None on other databases."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    row = _columns(data, SecurityEventKind.SIGN_IN)
    sign_in = str(SecurityEventKind.SIGN_IN)
    params: list[Any] = [
        data.user_id,
        sign_in,
        data.user_id,
        sign_in,
        row["device_key"],
        *(row[name] for name in _COLUMN_NAMES),
        data.user_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_sign_in_sql(), params)
        before, known, recorded = cursor.fetchone()
    return bool(before), bool(known), bool(recorded)


def _new_device_record(data: EventData) -> SecurityEvent | None:
    """NEW_DEVICE and its notice, once per device: the user's row lock queues concurrent
    sign-ins from one new device, and the second finds the first one's NEW_DEVICE."""
    key = device_from_user_agent(data.user_agent).key
    with transaction.atomic():
        if not User.objects.select_for_update().filter(pk=data.user_id).exists():
            return None
        if SecurityEvent.objects.filter(
            user_id=data.user_id, kind=SecurityEventKind.NEW_DEVICE, device_key=key
        ).exists():
            return None
        # A microsecond later, so that the log lists it right after (above) its sign-in.
        later = replace(data, occurred_at=data.occurred_at + timedelta(microseconds=1))
        notice = _event(later, SecurityEventKind.NEW_DEVICE)
        new_device_notice_queue(event=notice)
        return notice


@transaction.atomic
def _sign_in_locked(data: EventData) -> tuple[bool, bool, bool]:
    """What _sign_in_in_one_statement does, under the user's row lock (other databases)."""
    key = device_from_user_agent(data.user_agent).key
    earlier = SecurityEvent.objects.filter(user_id=OuterRef("pk"), kind=SecurityEventKind.SIGN_IN)
    user = (
        User.objects.select_for_update()
        .filter(pk=data.user_id)
        .annotate(before=Exists(earlier), known=Exists(earlier.filter(device_key=key)))
        .first()
    )
    if user is None:
        return False, False, False
    _event(data, SecurityEventKind.SIGN_IN)
    return bool(user.before), bool(user.known), True


def security_event_record(*, data: EventData) -> list[SecurityEventKind]:
    """Record the event; for a sign-in from a device this user never signed in from (and
    not their very first sign-in), also NEW_DEVICE, with a notice emailed in the same
    transaction. Returns the kinds written (none when the account is gone).

    Runs after the sender committed, on the sign-in path: the common case (a sign-in from a
    known device) is one statement on PostgreSQL.
    """
    if data.kind is not SecurityEventKind.SIGN_IN:
        if not User.objects.filter(pk=data.user_id).exists():
            return []
        _event(data, data.kind)
        return [data.kind]
    outcome = _sign_in_in_one_statement(data)
    before, known, recorded = outcome if outcome is not None else _sign_in_locked(data)
    if not recorded:
        return []
    if not before or known:
        return [SecurityEventKind.SIGN_IN]
    if _new_device_record(data) is None:
        return [SecurityEventKind.SIGN_IN]
    return [SecurityEventKind.SIGN_IN, SecurityEventKind.NEW_DEVICE]


def security_events_prune(
    *, older_than: timedelta, batch_size: int = 1000, now: datetime | None = None
) -> int:
    """Delete events older than `older_than`, `batch_size` rows per short transaction so
    the server keeps writing meanwhile; returns how many were deleted."""
    cutoff = (now or timezone.now()) - older_than

    def oldest(limit: int) -> list[Any]:
        return list(
            SecurityEvent.objects.filter(occurred_at__lt=cutoff)
            .order_by("occurred_at")
            .values_list("id", flat=True)[:limit]
        )

    return delete_in_batches(SecurityEvent, oldest, batch_size=batch_size)

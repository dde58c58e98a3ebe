"""A read-only snapshot of the viewer's user row in the cache, for the `me` query.

The revocation check already makes one Redis round trip per signed-in request
(tokens/revocation.py); the snapshot rides in the same MGET (tokens/viewer.py), so
`me { id email }` needs no
PostgreSQL query at all when it is warm. It is kept beside the revocation marks, under its
own key, never in the access token: the token carries identity claims only. It holds only
what the `User` GraphQL type shows plus `is_active`, never the password hash. An instance
built from it has every other field deferred (read from PostgreSQL on first access), and it
is used only by read-only resolvers: services that write load the user from PostgreSQL.

Every save or delete of a user drops its snapshot (immediately and again after commit); a
snapshot lives at most SNAPSHOT_TTL, which bounds the rare race where a slow reader
writes back a row read just before a change.
"""

from __future__ import annotations

import json
import logging
from contextlib import suppress
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User
from core.cache import CACHE_DOWN
from tokens.revocation import set_raw

logger = logging.getLogger(__name__)

SNAPSHOT_FIELDS = ("id", "email", "email_verified", "register_method", "is_active", "date_joined")
SNAPSHOT_TTL = 60


def snapshot_key(user_id: str) -> str:
    """Where a user's snapshot lives (under the cache's key prefix), beside `rev:*`."""
    return f"user:v1:{user_id}"


def snapshot_dump(user: User) -> str:
    return json.dumps(
        [
            str(user.pk),
            user.email,
            user.email_verified,
            user.register_method,
            user.is_active,
            user.date_joined.isoformat(),
        ]
    )


def snapshot_load(raw: str | bytes | None) -> User | None:
    """The user from a snapshot, or None when absent or unreadable."""
    if not raw:
        return None
    try:
        user_id, email, verified, method, active, joined = json.loads(raw)
        values: list[Any] = [
            User._meta.pk.to_python(user_id),
            email,
            bool(verified),
            method,
            bool(active),
            datetime.fromisoformat(joined),
        ]
    except (ValueError, TypeError, ValidationError):
        return None
    if values[5].tzinfo is None:
        # Written by a process that read the row without field conversion: not the shape
        # `login.user` gives, so load the row again.
        return None
    return User.from_db("default", list(SNAPSHOT_FIELDS), values)


def snapshot_remember(user: User) -> None:
    # Written raw (not pickled) so that the revocation MGET reads it as it reads its own.
    # Only a shortcut for the next request: not worth failing this one.
    with suppress(*CACHE_DOWN):
        set_raw([(snapshot_key(str(user.pk)), snapshot_dump(user), SNAPSHOT_TTL)])


def _delete(key: str) -> None:
    # A change to the user (a new password, a disabled account) must not fail because
    # Redis is down: what the snapshot shows is display data that expires within
    # SNAPSHOT_TTL, and what decides access (revocation, is_active) is checked elsewhere.
    try:
        cache.delete(key)
    except CACHE_DOWN:
        logger.warning("Redis unreachable: a user snapshot expires on its own")


def snapshot_forget(user_id: str) -> None:
    key = snapshot_key(user_id)
    _delete(key)
    # Again after commit: a reader between now and then may have cached the old row.
    transaction.on_commit(lambda: _delete(key))


@receiver(post_save, sender=User, dispatch_uid="tokens.snapshot.saved")
@receiver(post_delete, sender=User, dispatch_uid="tokens.snapshot.deleted")
def _user_changed(sender: type[User], instance: User, **kwargs: Any) -> None:
    snapshot_forget(str(instance.pk))

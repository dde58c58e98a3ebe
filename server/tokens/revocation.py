"""Hot revocation state in the cache (Redis in production), rebuilt from PostgreSQL.

Keys (under the cache's key prefix), each expiring when the last access token it could
refuse has expired anyway:

- `rev:sid:<session id>`: the session was revoked; every access token of it is refused.
- `rev:user:<user id>` = `<tokens_valid_after>|<kept session id>`: access tokens issued
  before that instant are refused, except the kept session's (logout-all, disabling).
- `rev:all` = `<sessions_valid_after>`: every access token of a session begun before that
  instant is refused, whoever's it is (`manage.py revoke_sessions`).
- `rev:ready`: written after the set above is known complete. When it is missing (Redis
  flushed, restarted, or the key expired) the set is rebuilt from PostgreSQL before Redis
  is trusted, so revocations survive the loss of Redis.

When Redis cannot be reached, a revocation still commits in PostgreSQL (logout must never be
undone by a Redis failure) and marks the copy stale there (`RevocationSync`), in the same
transaction. A process checks that mark (one query) on its next successful round trip, and
rebuilds before trusting Redis, whenever it may have missed something: it is new, it opened
a new connection to Redis (a restart breaks every connection, so every process notices),
it saw Redis fail, or it failed a write itself. A process whose connection survived a
network outage untouched learns of it when the writer rebuilds on its own next round trip,
or when `rev:ready` expires. Meanwhile, signed-in requests answer SERVICE_UNAVAILABLE
(core/cache.py) rather than trust what they cannot check.

The request path costs one round trip: MGET of the four keys above (and of whatever else the
caller reads in the same trip, `check_access(also=…)`).
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.cache import CACHE_DOWN, raw_redis, unavailable
from core.redis_connections import on_redis_connect
from tokens.verifier import AccessClaims, AccessTokenRejected

logger = logging.getLogger(__name__)

READY_KEY = "rev:ready"
GLOBAL_KEY = "rev:all"


def _sid_key(session_id: str) -> str:
    return f"rev:sid:{session_id}"


def _user_key(user_id: str) -> str:
    return f"rev:user:{user_id}"


def _lifetime() -> float:
    return settings.ACCESS_TOKEN_LIFETIME.total_seconds()


_redis = raw_redis


def _ttl_until(revoked_at: float) -> int:
    # The newest access token that this entry refuses was issued no later than revoked_at.
    return math.ceil(revoked_at + _lifetime() - time.time()) + 1


def set_raw(entries: Iterable[tuple[str, str, int]]) -> None:
    """Write (key, value, ttl) entries as plain strings, readable by the request path's MGET;
    entries whose TTL has run out are skipped."""
    live = [(key, value, ttl) for key, value, ttl in entries if ttl > 0]
    if not live:
        return
    redis, prefix = _redis()
    if redis is None:
        for key, value, ttl in live:
            cache.set(key, value, timeout=ttl)
        return
    pipe = redis.pipeline(transaction=False)
    for key, value, ttl in live:
        pipe.set(prefix + key, value, ex=ttl)
    pipe.execute()


class _Connections:
    """Whether this process has connected to Redis before, and whether a reconnection
    since asks for a rebuild (per process)."""

    def __init__(self) -> None:
        self.connected_before = False
        # Set by a reconnection: rebuild from PostgreSQL before trusting what Redis says.
        self.rebuild_due = False

    def connected(self, conn: Any) -> None:
        """A cache connection (re)connected (core/redis_connections.py).

        A connection is lost when Redis restarts or fails over. Replication is asynchronous,
        and a demoted master keeps taking writes until Sentinel reconfigures it, then drops
        them: a revocation written around a failover may be missing from the master we find
        now, while `rev:ready` is still there. So every connection after the first rebuilds
        the set from PostgreSQL (reconnecting is rare; a rebuild is one query), and any new
        connection looks at the stale mark first: Redis may have restarted with its data
        but without a revocation it could not take meanwhile.
        """
        _sync.suspect = True
        if self.connected_before:
            logger.warning(
                "reconnected to Redis at %s:%s; rebuilding the revocation set",
                getattr(conn, "host", "?"),
                getattr(conn, "port", "?"),
            )
            self.rebuild_due = True
        self.connected_before = True

    def take_rebuild_due(self) -> bool:
        due, self.rebuild_due = self.rebuild_due, False
        return due


_connections = _Connections()


def _connected(conn: Any) -> None:
    _connections.connected(conn)


on_redis_connect(_connected)


def get_many(keys: list[str]) -> list[Any]:
    """The plain string values of `keys` (None when absent) in one round trip."""
    redis, prefix = _redis()
    if redis is None:
        found = cache.get_many(keys)
        return [found.get(key) for key in keys]
    try:
        values = redis.mget([prefix + key for key in keys])
    except CACHE_DOWN:
        note_connection_broken()
        raise
    return [value.decode() if isinstance(value, bytes) else value for value in values]


def note_connection_broken() -> None:
    """Reading revocations failed: Redis restarted or was unreachable, and may have missed
    a revocation meanwhile. Check before trusting it again."""
    _sync.suspect = True


class _SyncState:
    # Per process: look at the stale mark in PostgreSQL on the next successful round trip,
    # because this process saw Redis fail, failed a write itself, opened a new connection,
    # or is new (a worker started after an outage never saw it).
    def __init__(self) -> None:
        self.suspect = True


_sync = _SyncState()


def _publish(entries: list[tuple[str, str, int]]) -> None:
    """Copy revocations (already written to PostgreSQL) to Redis; if Redis cannot take them,
    mark the copy stale instead of failing the caller, whose change must stand."""
    try:
        set_raw(entries)
    except CACHE_DOWN:
        logger.warning("Redis unreachable: revocation kept in PostgreSQL, Redis marked stale")
        mark_stale()


def mark_stale() -> None:
    """Record in PostgreSQL (in the caller's transaction) that Redis may lack a revocation."""
    from django.db import IntegrityError, transaction
    from django.db.models import F

    from tokens.models import RevocationSync

    _sync.suspect = True
    bump = {"stale_generation": F("stale_generation") + 1}
    if RevocationSync.objects.filter(pk=1).update(**bump):
        return
    try:
        with transaction.atomic():
            RevocationSync.objects.create(pk=1, stale_generation=1)
    except IntegrityError:  # created concurrently
        RevocationSync.objects.filter(pk=1).update(**bump)


def _stale_generation() -> int | None:
    """The stale generation when Redis is marked stale, else None."""
    from django.db.models import F

    from tokens.models import RevocationSync

    row = (
        RevocationSync.objects.filter(pk=1, stale_generation__gt=F("synced_generation"))
        .values_list("stale_generation", flat=True)
        .first()
    )
    return row


def _resync_needed() -> bool:
    if not _sync.suspect:
        return False
    needed = _stale_generation() is not None
    _sync.suspect = False
    return needed


def mark_session_revoked(session_id: uuid.UUID | str, revoked_at: datetime) -> None:
    stamp = revoked_at.timestamp()
    _publish([(_sid_key(str(session_id)), f"{stamp:.6f}", _ttl_until(stamp))])


def mark_user_revoked(
    user_id: uuid.UUID | str, valid_after: datetime, kept_session_id: uuid.UUID | str | None
) -> None:
    stamp = valid_after.timestamp()
    value = f"{stamp:.6f}|{kept_session_id or ''}"
    _publish([(_user_key(str(user_id)), value, _ttl_until(stamp))])


def mark_all_revoked(sessions_valid_after: datetime, marked_at: datetime) -> None:
    value = f"{sessions_valid_after.timestamp():.6f}"
    _publish([(GLOBAL_KEY, value, _ttl_until(marked_at.timestamp()))])


def rebuild() -> None:
    """Copy every revocation that may still refuse a live access token from PostgreSQL."""
    from tokens.models import GlobalTokenState, RevocationSync, Session, UserTokenState

    # The copy is about to be current: no need to look at the stale mark again (a failure
    # below sets this back).
    _sync.suspect = False
    # Read before the copy: a revocation whose Redis write fails after this point bumps
    # the generation past it, so the copy stays marked stale and is rebuilt again.
    generation = (
        RevocationSync.objects.filter(pk=1).values_list("stale_generation", flat=True).first()
    )
    since = timezone.now() - settings.ACCESS_TOKEN_LIFETIME - timedelta(seconds=1)
    entries: list[tuple[str, str, int]] = []
    for session_id, revoked_at in Session.objects.filter(revoked_at__gte=since).values_list(
        "id", "revoked_at"
    ):
        assert revoked_at is not None
        stamp = revoked_at.timestamp()
        entries.append((_sid_key(str(session_id)), f"{stamp:.6f}", _ttl_until(stamp)))
    for user_id, valid_after, kept in UserTokenState.objects.filter(
        tokens_valid_after__gte=since
    ).values_list("user_id", "tokens_valid_after", "kept_session_id"):
        stamp = valid_after.timestamp()
        entries.append((_user_key(str(user_id)), f"{stamp:.6f}|{kept or ''}", _ttl_until(stamp)))
    for valid_after, marked_at in GlobalTokenState.objects.filter(marked_at__gte=since).values_list(
        "sessions_valid_after", "marked_at"
    ):
        entries.append(
            (GLOBAL_KEY, f"{valid_after.timestamp():.6f}", _ttl_until(marked_at.timestamp()))
        )
    # The marker lives as long as an access token: the set re-syncs itself at least that
    # often, even if an entry was lost without the marker going with it.
    entries.append((READY_KEY, "1", math.ceil(_lifetime())))
    set_raw(entries)
    if generation:
        RevocationSync.objects.filter(pk=1, synced_generation__lt=generation).update(
            synced_generation=generation
        )
    logger.info("revocation set rebuilt from PostgreSQL (%d entries)", len(entries) - 1)


# The Redis copies of the rules that end a session (LIVENESS_RULES in tokens/models.py,
# Verdict.ENDED): revoked, signed out everywhere, ended for everyone. "User active" is
# checked when a request loads its user row; expiry is bounded by the access token's own
# short lifetime. tokens/tests/test_session_states.py holds this check to the same table.
def _refused(claims: AccessClaims, session_entry: Any, user_entry: Any) -> str | None:
    if session_entry is not None:
        return "session revoked"
    if user_entry is not None:
        stamp, _, kept = str(user_entry).partition("|")
        began = claims.session_created_at
        if (claims.issued_at if began is None else began) < float(stamp) and (
            kept != claims.session_id
        ):
            return "user signed out everywhere"
    return None


def _refused_by_everyone_mark(claims: AccessClaims, global_entry: Any) -> str | None:
    if global_entry is None:
        return None
    began = claims.session_created_at
    if (claims.issued_at if began is None else began) < float(global_entry):
        return "every session begun before the global mark revoked"
    return None


def check_access(claims: AccessClaims, *, also: Sequence[str] = ()) -> list[Any]:
    """Raise AccessTokenRejected when the token's session or user was revoked.

    Returns the values of the keys `also`, read in the same round trip (none by default).
    """
    keys = [READY_KEY, _sid_key(claims.session_id), _user_key(claims.user_id), GLOBAL_KEY, *also]
    try:
        values = get_many(keys)
        # Taken first: a reconnection's rebuild is due whatever else is true.
        reconnected = _connections.take_rebuild_due()
        if reconnected or values[0] is None or _resync_needed():
            rebuild()
            values = get_many(keys)
    except CACHE_DOWN as exc:
        _sync.suspect = True
        raise unavailable() from exc
    _, session_entry, user_entry, global_entry = values[:4]
    reason = _refused(claims, session_entry, user_entry) or _refused_by_everyone_mark(
        claims, global_entry
    )
    if reason is not None:
        raise AccessTokenRejected(reason)
    return values[4:]

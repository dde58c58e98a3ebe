"""Device sessions, the marks that end many of them at once, and what a live session is.

A Session row is the durable record of one sign-in on one device: PostgreSQL is the truth
for every refresh. Redis only holds hot copies of revocations (tokens/revocation.py).

`LIVENESS_RULES` is the one definition of a live session. The rotation statement, the
locked rotation, the sessions list and the clean-up are all built from it
(`SessionQuerySet`); the access-token check in Redis keeps copies of the rules that end a
session (tokens/revocation.py).
"""

from __future__ import annotations

import functools
import operator
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from core.models import user_keyed


class AuthMethod(models.TextChoices):
    PASSWORD = "password", "Email and password"
    GOOGLE = "google", "Google"
    PASSKEY = "passkey", "Passkey"


@dataclass(frozen=True)
class Limits:
    """What a live session must be newer than at `now`: its last use (idle lifetime) and its
    creation (absolute lifetime)."""

    used_after: datetime
    created_after: datetime

    @classmethod
    def at(cls, now: datetime) -> Limits:
        return cls(
            used_after=now - settings.REFRESH_TOKEN_LIFETIME,
            created_after=now - settings.SESSION_ABSOLUTE_LIFETIME,
        )


class Verdict(StrEnum):
    """How a session that breaks a rule is over: ended by someone, or run out of time."""

    ENDED = "ended"
    EXPIRED = "expired"


@dataclass(frozen=True)
class LivenessRule:
    """One condition of a live session.

    `holds` is true of a session that passes the rule. `gone` is true of a session that
    failed it at or before `cutoff` (expired sessions: as soon as they fail), so that the
    clean-up may delete its record; None when failing it alone never makes a record
    deletable (a disabled account may be enabled again).
    """

    name: str
    verdict: Verdict
    holds: Callable[[Limits], Q]
    gone: Callable[[Limits, datetime], Q] | None


def _signed_out_everywhere(**also: object) -> Exists:
    """The session's user signed out everywhere after it began (the kept session aside)."""
    return Exists(
        UserTokenState.objects.filter(
            user_id=OuterRef("user_id"), tokens_valid_after__gt=OuterRef("created_at"), **also
        ).exclude(kept_session_id=OuterRef("pk"))
    )


def _ended_for_everyone(**also: object) -> Exists:
    """`revoke_sessions` ended every session begun before its mark, this one included."""
    return Exists(
        GlobalTokenState.objects.filter(sessions_valid_after__gt=OuterRef("created_at"), **also)
    )


# Subqueries rather than joins: the rotation statement is an UPDATE of the session row alone
# (tokens/services/rotation.py), which can only test the other tables this way.
LIVENESS_RULES: tuple[LivenessRule, ...] = (
    LivenessRule(
        "not revoked",
        Verdict.ENDED,
        holds=lambda limits: Q(revoked_at__isnull=True),
        gone=lambda limits, cutoff: Q(revoked_at__lte=cutoff),
    ),
    LivenessRule(
        "not signed out everywhere",
        Verdict.ENDED,
        holds=lambda limits: ~Q(_signed_out_everywhere()),
        gone=lambda limits, cutoff: Q(_signed_out_everywhere(tokens_valid_after__lte=cutoff)),
    ),
    LivenessRule(
        "not ended for everyone",
        Verdict.ENDED,
        holds=lambda limits: ~Q(_ended_for_everyone()),
        gone=lambda limits, cutoff: Q(_ended_for_everyone(marked_at__lte=cutoff)),
    ),
    LivenessRule(
        "user active",
        Verdict.ENDED,
        holds=lambda limits: Q(Exists(User.objects.filter(pk=OuterRef("user_id"), is_active=True))),
        gone=None,
    ),
    LivenessRule(
        "used within REFRESH_TOKEN_LIFETIME",
        Verdict.EXPIRED,
        holds=lambda limits: Q(last_used_at__gt=limits.used_after),
        gone=lambda limits, cutoff: Q(last_used_at__lte=limits.used_after),
    ),
    LivenessRule(
        "begun within SESSION_ABSOLUTE_LIFETIME",
        Verdict.EXPIRED,
        holds=lambda limits: Q(created_at__gt=limits.created_after),
        gone=lambda limits, cutoff: Q(created_at__lte=limits.created_after),
    ),
)


def live_q(limits: Limits, *, verdict: Verdict | None = None) -> Q:
    """A live session: every rule holds (only the rules of `verdict`, when given)."""
    rules = [r for r in LIVENESS_RULES if verdict is None or r.verdict == verdict]
    return functools.reduce(operator.and_, (rule.holds(limits) for rule in rules))


class SessionQuerySet(models.QuerySet["Session"]):
    def live(self, *, now: datetime) -> SessionQuerySet:
        return self.filter(live_q(Limits.at(now)))

    def with_liveness(self, *, now: datetime) -> SessionQuerySet:
        """Annotate `not_ended` and `not_expired`: which kind of rule, if any, a session
        breaks (a refresh answers SESSION_REVOKED or TOKEN_EXPIRED accordingly)."""
        limits = Limits.at(now)
        return self.annotate(
            not_ended=ExpressionWrapper(
                live_q(limits, verdict=Verdict.ENDED), output_field=BooleanField()
            ),
            not_expired=ExpressionWrapper(
                live_q(limits, verdict=Verdict.EXPIRED), output_field=BooleanField()
            ),
        )

    def stale(self, *, now: datetime, ended_before: timedelta) -> SessionQuerySet:
        """Sessions that are over and need not be kept for the record: expired ones, and
        those ended more than `ended_before` ago."""
        limits, cutoff = Limits.at(now), now - ended_before
        gone = [rule.gone(limits, cutoff) for rule in LIVENESS_RULES if rule.gone is not None]
        return self.filter(functools.reduce(operator.or_, gone))


class Session(models.Model):
    """One signed-in device. Its refresh token rotates on every use (`generation`).

    Only hashes of the current refresh token and of its immediate parent are stored: the
    parent's hash lets a spent token be recognised (reuse detection and the grace window).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    auth_method = models.CharField(max_length=16, choices=AuthMethod.choices)
    generation = models.PositiveIntegerField(default=0)
    token_hash = models.CharField(max_length=64)
    parent_hash = models.CharField(max_length=64, blank=True)
    # When the current generation was minted: the parent stays usable for the grace window.
    rotated_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=32, blank=True)
    # When the user last proved who they are on this session: the sign-in itself, or a
    # `reauthenticate`. Sensitive changes need it within STEP_UP_WINDOW (step-up).
    authenticated_at = models.DateTimeField(default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["user", "-last_used_at"], name="tokens_session_user_used"),
            models.Index(fields=["revoked_at"], name="tokens_session_revoked"),
            models.Index(fields=["last_used_at"], name="tokens_session_last_used"),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} of {self.user_id}"


class UserTokenState(models.Model):
    """Ends all of a user's sessions with one write (logout-all, password reset, disable).

    Every session created before `tokens_valid_after`, except `kept_session_id`, is over;
    every access token issued before it, except the kept session's, is refused.
    """

    user = user_keyed(related_name="token_state")
    tokens_valid_after = models.DateTimeField()
    kept_session_id = models.UUIDField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Token state of {self.user_id}"


class RevocationSync(models.Model):
    """Whether the Redis copy of the revocations may be missing something (one row).

    A revocation is committed here first; when copying it to Redis fails (Redis down or
    unreachable), `stale_generation` is bumped in the same transaction. A rebuild records the
    generation it started from in `synced_generation`; the copy is stale while the first
    is greater (tokens/revocation.py).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    stale_generation = models.BigIntegerField(default=0)
    synced_generation = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Revocation sync {self.stale_generation}/{self.synced_generation}"


class GlobalTokenState(models.Model):
    """Ends every session of every user begun before an instant, with one write
    (`manage.py revoke_sessions`, e.g. after restoring a database backup).

    At most one row. Every session created before `sessions_valid_after` is over; every
    access token of such a session is refused. `marked_at` is when the mark was last
    moved: access tokens it refuses were all issued by then, so its Redis copy can expire
    one access-token lifetime later.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    sessions_valid_after = models.DateTimeField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="tokens_globaltokenstate_one_row")
        ]

    def __str__(self) -> str:
        return f"Sessions begun before {self.sessions_valid_after.isoformat()} are over"

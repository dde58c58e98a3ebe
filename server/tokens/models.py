"""Device sessions and the per-user "signed out everywhere" mark.

A Session row is the durable record of one sign-in on one device: PostgreSQL is the truth
for every refresh. Redis only holds hot copies of revocations (tokens/revocation.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuthMethod(models.TextChoices):
    PASSWORD = "password", "Email and password"
    GOOGLE = "google", "Google"


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

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="token_state",
    )
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

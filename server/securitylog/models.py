"""The per-user security log: one row per security-relevant event of an account."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.events import SecurityEventKind

# Choices straight from the signal's kinds: stored by value, so a kind is never renamed.
KIND_CHOICES = [
    (kind.value, kind.name.replace("_", " ").capitalize()) for kind in SecurityEventKind
]


class SecurityEvent(models.Model):
    """Something that happened to an account's security: a sign-in (and from where), a
    refused password, a changed credential, ended sessions. Written only by the receiver of
    `core.events.security_event`; never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events"
    )
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    occurred_at = models.DateTimeField(default=timezone.now)
    # A short fixed word: "password", "google", "code", "link", "logout"…
    method = models.CharField(max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # "Chrome on Linux": what the user reads; device_key: what new-device detection compares.
    device = models.CharField(max_length=100, blank=True)
    device_key = models.CharField(max_length=32, blank=True)
    session_id = models.UUIDField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            # The viewer's log, newest first (and its keyset cursor).
            models.Index(fields=["user", "-occurred_at", "-id"], name="securitylog_user_time"),
            # Retention: the oldest rows, across users.
            models.Index(fields=["occurred_at"], name="securitylog_time"),
            # New-device detection: has this user signed in from this device before?
            models.Index(
                fields=["user", "device_key"],
                name="securitylog_user_device",
                condition=models.Q(kind="sign_in"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"

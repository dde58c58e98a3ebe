"""Identities at external providers, linked to our users."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

# Google issues ID tokens with either spelling of its issuer; we store one so that the
# same person is one row whichever spelling their token carried.
GOOGLE_ISSUER = "https://accounts.google.com"


def normalize_issuer(issuer: str) -> str:
    issuer = issuer.strip().rstrip("/")
    if issuer == "accounts.google.com":
        return GOOGLE_ISSUER
    return issuer


class SocialAccount(models.Model):
    """One provider identity, keyed by (issuer, subject) and never by email.

    An email address can change hands or be edited at the provider; the subject is the
    provider's stable, never reassigned identifier for the person.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_accounts"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    # The address the provider vouched for when the identity was linked; for support only,
    # never used to find the account again.
    email = models.EmailField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="social_issuer_subject_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"

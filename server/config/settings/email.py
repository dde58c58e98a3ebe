"""Outgoing email: the sender, the transport (EMAIL_URL) and how failed deliveries retry."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config.email_url import email_settings
from config.settings.environment import env

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Gatehouse <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _email_settings(url: str) -> dict[str, Any]:
    try:
        return email_settings(url, os.environ)
    except ValueError as exc:
        raise ImproperlyConfigured(f"EMAIL_URL: {exc}") from exc


# MAILERS, and ANYMAIL for an anymail:// URL.
globals().update(_email_settings(env.str("EMAIL_URL", "console:")))
EMAIL_SITE_NAME = env.str("EMAIL_SITE_NAME", "Gatehouse", required=False)
# A failed delivery is queued again after base * 2^(attempt-1) (capped, with jitter); after
# the last attempt the task row stays FAILED in the database for an operator to see.
EMAIL_DELIVERY_MAX_ATTEMPTS = env.int("EMAIL_DELIVERY_MAX_ATTEMPTS", 12)
EMAIL_RETRY_BASE_DELAY = env.duration("EMAIL_RETRY_BASE_DELAY", timedelta(seconds=30))
EMAIL_RETRY_MAX_DELAY = env.duration("EMAIL_RETRY_MAX_DELAY", timedelta(hours=1))

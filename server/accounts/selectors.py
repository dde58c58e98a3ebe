"""Reads for accounts."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError

from accounts.models import User, normalize_email


def user_get(*, user_id: uuid.UUID | str) -> User | None:
    try:
        return User.objects.filter(pk=user_id).first()
    except (ValueError, TypeError, ValidationError):  # not a UUID
        return None


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=normalize_email(email)).first()

"""The account emails: what each says, rendered from text and HTML templates.

Links always start with FRONTEND_URL (settings), never with anything taken from a request.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from accounts import email_tokens
from accounts.models import User


class AccountEmail(StrEnum):
    VERIFY_EMAIL = "verify_email"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    REGISTRATION_ATTEMPT = "registration_attempt"


def _in_words(lifetime: timedelta) -> str:
    seconds = int(lifetime.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def frontend_link(path: str, **query: str) -> str:
    base = f"{settings.FRONTEND_URL}/{path.lstrip('/')}"
    return f"{base}?{urlencode(query)}" if query else base


def account_email_build(*, kind: AccountEmail, user: User) -> EmailMultiAlternatives:
    """The message for `user`, with a fresh token in its link where it needs one."""
    context: dict[str, str] = {
        "email": user.email,
        "site_name": settings.EMAIL_SITE_NAME,
        "frontend_url": settings.FRONTEND_URL,
    }
    if kind is AccountEmail.VERIFY_EMAIL:
        token = email_tokens.verification_token_make(user=user)
        context["link"] = frontend_link("verify-email", token=token)
        context["lifetime"] = _in_words(settings.EMAIL_VERIFICATION_TOKEN_LIFETIME)
    elif kind is AccountEmail.PASSWORD_RESET:
        token = email_tokens.reset_token_make(user=user)
        context["link"] = frontend_link("reset-password", token=token)
        context["lifetime"] = _in_words(settings.PASSWORD_RESET_TOKEN_LIFETIME)

    name = str(kind)
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string(f"emails/{name}.html", context), "text/html")
    return message

"""The account emails: what each says, rendered from text and HTML templates.

Links always start with FRONTEND_URL (settings), never with anything taken from a request.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from accounts import email_codes, email_tokens
from accounts.models import User


class AccountEmail(StrEnum):
    VERIFY_EMAIL = "verify_email"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    REGISTRATION_ATTEMPT = "registration_attempt"
    # The same two emails with a one-time code instead of a link (accounts/email_codes.py).
    VERIFY_EMAIL_CODE = "verify_email_code"
    PASSWORD_RESET_CODE = "password_reset_code"


# What each code email is for, and the account state its code is bound to.
CODE_PURPOSES = {
    AccountEmail.VERIFY_EMAIL_CODE: email_codes.CodePurpose.VERIFY_EMAIL,
    AccountEmail.PASSWORD_RESET_CODE: email_codes.CodePurpose.PASSWORD_RESET,
}


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


def account_email_build(
    *, kind: AccountEmail, user: User, state: str = ""
) -> EmailMultiAlternatives:
    """The message for `user`, with a fresh token in its link (or a fresh one-time code,
    bound to `state`) where it needs one."""
    context: dict[str, Any] = {
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
    elif kind in CODE_PURPOSES:
        # Issuing replaces the code sent before: only the newest request's code works.
        context["lifetime"] = _in_words(settings.EMAIL_CODE_LIFETIME)
        context["code"] = email_codes.code_issue(
            purpose=CODE_PURPOSES[kind], email=user.email, user_id=str(user.pk), state=state
        )

    return templated_email(str(kind), context, to=user.email)


def templated_email(name: str, context: dict[str, Any], *, to: str) -> EmailMultiAlternatives:
    """The email of templates `emails/<name>_subject.txt`, `<name>.txt` and `<name>.html`:
    every email Gatehouse sends (account emails and the security notices of mfa and
    securitylog) is built here, so they share sender, shape and the one-line subject."""
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{name}.html", context), "text/html")
    return message

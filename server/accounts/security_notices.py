"""Security notices: "a second factor was added to your account", each with a "this wasn't
me" link that signs every device out and takes the added factor away again
(`secureAccount`, mfa). The new-sign-in notice of securitylog carries the same link.

A token fresh from a sign-in may enrol a second factor: should it have been stolen, the
owner hears of it here, in their mailbox, and can undo it. Delivered like the account
emails: queued in the transaction of the change (the task row commits or rolls back with
the factor), sent by the worker, retried with backoff. Task arguments hold the user id, the
kind of change and the id of what was added, never a code or a secret; the link's token is
made at send time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.utils import timezone

from accounts.email_tokens import not_me_token_make
from accounts.emails import frontend_link, templated_email
from accounts.models import User
from accounts.tasks import email_send_or_retry, email_task_queue

# The page of the web client that reads the token and calls `secureAccount`.
NOT_ME_PATH = "secure-account"


class SecurityChange(StrEnum):
    """A change a notice tells of; stored in task rows and link tokens by value."""

    AUTHENTICATOR_ADDED = "authenticator_added"
    PASSKEY_ADDED = "passkey_added"
    RECOVERY_CODES_MADE = "recovery_codes_made"


def not_me_link(*, user: User, change: str = "", object_id: str = "") -> str:
    """The "this wasn't me" link: signs every device of `user` out, and removes what
    `change` added (`object_id`) when it is still there."""
    token = not_me_token_make(user=user, change=change, object_id=object_id)
    return frontend_link(NOT_ME_PATH, token=token)


def security_notice_build(
    *, change: SecurityChange, user: User, object_id: str, at: str
) -> EmailMultiAlternatives:
    when = datetime.fromisoformat(at) if at else timezone.now()
    context: dict[str, Any] = {
        "email": user.email,
        "site_name": settings.EMAIL_SITE_NAME,
        "frontend_url": settings.FRONTEND_URL,
        "change": str(change),
        "when": when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "not_me_link": not_me_link(user=user, change=str(change), object_id=object_id),
    }
    return templated_email("security_notice", context, to=user.email)


@task
def deliver_security_notice(
    *, change: str, user_id: str, object_id: str = "", at: str = "", attempt: int = 1
) -> str:
    kind = SecurityChange(change)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "skipped: account deleted or disabled"
    return email_send_or_retry(
        deliver_security_notice,
        lambda: security_notice_build(change=kind, user=user, object_id=object_id, at=at),
        label=f"{change} notice",
        user_id=user_id,
        attempt=attempt,
        again={"change": change, "user_id": user_id, "object_id": object_id, "at": at},
    )


def security_notice_queue(*, change: SecurityChange, user: User, object_id: object = "") -> None:
    """Queue the notice of `change` to `user` as part of the caller's transaction.

    `object_id` names what was added (the authenticator's or passkey's primary key, the
    recovery codes' batch), so that the link removes that and nothing else. Nothing the
    user typed (a passkey's name) goes into the email: whoever added the factor chose it."""
    email_task_queue(
        deliver_security_notice,
        change=str(change),
        user_id=str(user.pk),
        object_id=str(object_id),
        at=timezone.now().isoformat(),
    )

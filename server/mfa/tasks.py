"""Security notices about second factors, delivered like the account emails: queued in the
transaction of the change, sent by the worker, retried with backoff (accounts/tasks.py).

Task arguments hold the user id and the kind only, never a code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from accounts.emails import templated_email
from accounts.models import User
from accounts.tasks import email_send_or_retry, email_task_queue
from mfa.models import RecoveryCode


class MfaNotice(StrEnum):
    RECOVERY_CODE_USED = "recovery_code_used"


def notice_build(*, kind: MfaNotice, user: User) -> EmailMultiAlternatives:
    remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
    context: dict[str, Any] = {
        "email": user.email,
        "site_name": settings.EMAIL_SITE_NAME,
        "frontend_url": settings.FRONTEND_URL,
        "remaining": remaining,
    }
    return templated_email(str(kind), context, to=user.email)


@task
def deliver_mfa_notice(*, kind: str, user_id: str, attempt: int = 1) -> str:
    notice = MfaNotice(kind)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "skipped: account deleted or disabled"
    return email_send_or_retry(
        deliver_mfa_notice,
        lambda: notice_build(kind=notice, user=user),
        label=f"{kind} notice",
        user_id=user_id,
        attempt=attempt,
        again={"kind": kind, "user_id": user_id},
    )


def notice_queue(*, kind: MfaNotice, user: User) -> None:
    """Queue a notice to `user` as part of the caller's transaction (the task row commits
    or rolls back together with the code it tells about)."""
    email_task_queue(deliver_mfa_notice, kind=str(kind), user_id=str(user.pk))

"""Security notices about second factors, delivered like the account emails: queued in the
transaction of the change, sent by the worker, retried with backoff (accounts/tasks.py).

Task arguments hold the user id and the kind only, never a code.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from accounts.models import User
from accounts.tasks import EmailDeliveryFailed, retry_delay
from mfa.models import RecoveryCode

logger = logging.getLogger(__name__)


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


@task
def deliver_mfa_notice(*, kind: str, user_id: str, attempt: int = 1) -> str:
    notice = MfaNotice(kind)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "skipped: account deleted or disabled"
    try:
        mailers.default.send_messages([notice_build(kind=notice, user=user)])
    except Exception as exc:
        # Only the exception's class: provider errors may echo parts of the message.
        error = type(exc).__name__
        backend = deliver_mfa_notice.get_backend()
        if attempt >= settings.EMAIL_DELIVERY_MAX_ATTEMPTS or not backend.supports_defer:
            logger.error("%s notice for user %s failed for good: %s", kind, user_id, error)
            raise EmailDeliveryFailed(
                f"{kind} notice not delivered after {attempt} attempts"
            ) from None
        deliver_mfa_notice.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
            kind=kind, user_id=user_id, attempt=attempt + 1
        )
        logger.warning(
            "%s notice for user %s failed (attempt %d): %s", kind, user_id, attempt, error
        )
        return f"retry scheduled: attempt {attempt + 1}"
    logger.info("%s notice sent to user %s (attempt %d)", kind, user_id, attempt)
    return "sent"


def notice_queue(*, kind: MfaNotice, user: User) -> None:
    """Queue a notice to `user` as part of the caller's transaction."""
    user_id = str(user.pk)
    if isinstance(deliver_mfa_notice.get_backend(), DatabaseBackend):
        # The task row commits or rolls back together with the code it tells about.
        deliver_mfa_notice.enqueue(kind=str(kind), user_id=user_id)
    else:
        transaction.on_commit(lambda: deliver_mfa_notice.enqueue(kind=str(kind), user_id=user_id))

"""The "new sign-in" email, delivered by the worker like the account emails (queued in
the transaction that recorded the NEW_DEVICE event, retried with the same backoff)."""

from __future__ import annotations

import logging
from datetime import UTC
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from accounts.tasks import EmailDeliveryFailed, retry_delay

if TYPE_CHECKING:
    from securitylog.models import SecurityEvent

logger = logging.getLogger(__name__)


def new_device_notice_build(event: SecurityEvent) -> EmailMultiAlternatives:
    context = {
        "email": event.user.email,
        "site_name": settings.EMAIL_SITE_NAME,
        "frontend_url": settings.FRONTEND_URL,
        "device": event.device or "An unknown device",
        "ip_address": event.ip_address or "unknown",
        "when": event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "method": event.method,
    }
    subject = " ".join(render_to_string("emails/new_device_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/new_device.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[event.user.email],
    )
    message.attach_alternative(render_to_string("emails/new_device.html", context), "text/html")
    return message


@task
def deliver_new_device_notice(*, event_id: str, attempt: int = 1) -> str:
    from securitylog.models import SecurityEvent

    event = SecurityEvent.objects.select_related("user").filter(pk=event_id).first()
    if event is None:
        return "skipped: event deleted"
    if not event.user.is_active:
        return "skipped: account disabled"
    try:
        mailers.default.send_messages([new_device_notice_build(event)])
    except Exception as exc:
        # Only the exception's class: provider errors may echo parts of the message.
        error = type(exc).__name__
        backend = deliver_new_device_notice.get_backend()
        if attempt >= settings.EMAIL_DELIVERY_MAX_ATTEMPTS or not backend.supports_defer:
            logger.error(
                "new-device notice for user %s failed for good (attempt %d): %s",
                event.user_id,
                attempt,
                error,
            )
            raise EmailDeliveryFailed(f"notice not delivered after {attempt} attempts") from None
        delay = retry_delay(attempt)
        deliver_new_device_notice.using(run_after=timezone.now() + delay).enqueue(
            event_id=event_id, attempt=attempt + 1
        )
        logger.warning(
            "new-device notice for user %s failed (attempt %d): %s; retrying in %ds",
            event.user_id,
            attempt,
            error,
            delay.total_seconds(),
        )
        return f"retry scheduled: attempt {attempt + 1}"
    logger.info("new-device notice sent to user %s (attempt %d)", event.user_id, attempt)
    return "sent"


def new_device_notice_queue(*, event: SecurityEvent) -> None:
    """Queue the notice as part of the caller's transaction (the one recording `event`)."""
    event_id = str(event.pk)
    if isinstance(deliver_new_device_notice.get_backend(), DatabaseBackend):
        deliver_new_device_notice.enqueue(event_id=event_id)
    else:
        transaction.on_commit(lambda: deliver_new_device_notice.enqueue(event_id=event_id))

"""The "new sign-in" email, delivered by the worker like the account emails (queued in
the transaction that recorded the NEW_DEVICE event, retried with the same backoff)."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from accounts.emails import templated_email
from accounts.security_notices import not_me_link
from accounts.tasks import email_send_or_retry, email_task_queue

if TYPE_CHECKING:
    from securitylog.models import SecurityEvent


def new_device_notice_build(event: SecurityEvent) -> EmailMultiAlternatives:
    context = {
        "email": event.user.email,
        "site_name": settings.EMAIL_SITE_NAME,
        "frontend_url": settings.FRONTEND_URL,
        "device": event.device or "An unknown device",
        "ip_address": event.ip_address or "unknown",
        "when": event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "method": event.method,
        # The "this wasn't me" link of every security notice: here it signs every device
        # out (no factor was added, so none is removed).
        "not_me_link": not_me_link(user=event.user),
    }
    return templated_email("new_device", context, to=event.user.email)


@task
def deliver_new_device_notice(*, event_id: str, attempt: int = 1) -> str:
    from securitylog.models import SecurityEvent

    event = SecurityEvent.objects.select_related("user").filter(pk=event_id).first()
    if event is None:
        return "skipped: event deleted"
    if not event.user.is_active:
        return "skipped: account disabled"
    return email_send_or_retry(
        deliver_new_device_notice,
        lambda: new_device_notice_build(event),
        label="new-device notice",
        user_id=str(event.user_id),
        attempt=attempt,
        again={"event_id": event_id},
    )


def new_device_notice_queue(*, event: SecurityEvent) -> None:
    """Queue the notice as part of the caller's transaction (the one recording `event`)."""
    email_task_queue(deliver_new_device_notice, event_id=str(event.pk))

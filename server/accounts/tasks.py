"""Delivery of account emails through Django's tasks framework.

With the django-tasks-db backend (production) the task row is written in the same database
transaction as the change that causes the email, so the email exists exactly when the
change does, and survives a crash of the server or an outage of the provider. The worker
(`manage.py worker`) sends it; a failed send queues the task again with exponential
backoff. Other backends (the immediate one in development) run it after commit.

Task arguments are stored in the database: they carry the user id and the state the email
was asked for, never a token or a link. Tokens are made at send time.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.emails import AccountEmail, account_email_build
from accounts.models import User

logger = logging.getLogger(__name__)


class EmailDeliveryFailed(Exception):
    """The provider refused or could not be reached on every attempt."""


def retry_delay(attempt: int) -> timedelta:
    """Backoff after failed attempt number `attempt` (1-based): doubling, capped, jittered."""
    base = settings.EMAIL_RETRY_BASE_DELAY.total_seconds()
    ceiling = settings.EMAIL_RETRY_MAX_DELAY.total_seconds()
    delay = min(ceiling, base * 2 ** (attempt - 1))
    # Up to 10% jitter, so that mail held back by one outage does not all retry at once.
    return timedelta(seconds=delay * (1 + random.random() / 10))  # noqa: S311


# The link and the code variant of each email go to the same accounts, for the same state.
_VERIFY = (AccountEmail.VERIFY_EMAIL, AccountEmail.VERIFY_EMAIL_CODE)
_RESET = (AccountEmail.PASSWORD_RESET, AccountEmail.PASSWORD_RESET_CODE)


def _still_wanted(kind: AccountEmail, user: User, state: str) -> str | None:
    """Why this email should no longer go out, or None when it should."""
    if not user.is_active:
        return "account disabled"
    if kind in _VERIFY and (user.email_verified or user.email != state):
        return "already verified or address changed"
    if kind in _RESET and str(user.password_reset_counter) != state:
        return "superseded by a newer reset request"
    return None


def _resolve_address(kind: AccountEmail, address: str) -> tuple[User, str] | None:
    """The account an address-only request is for, and the state its email is sent for.

    Requests that name only an address (reset, resend) are resolved here, in the worker,
    so that the request itself does the same work whether or not the account exists.
    """
    users = User.objects.filter(email=address, is_active=True)
    if kind in _RESET:
        with transaction.atomic():
            user = users.select_for_update().first()
            if user is None:
                return None
            # Spends every reset link and code sent before this one.
            user.password_reset_counter += 1
            user.save(update_fields=["password_reset_counter"])
            return user, str(user.password_reset_counter)
    if kind in _VERIFY:
        user = users.filter(email_verified=False).first()
        return None if user is None else (user, user.email)
    raise ValueError(f"{kind} emails are not sent by address")


@task
def deliver_account_email(
    *, kind: str, user_id: str = "", address: str = "", state: str = "", attempt: int = 1
) -> str:
    email_kind = AccountEmail(kind)
    if not user_id:
        resolved = _resolve_address(email_kind, address)
        if resolved is None:
            return "skipped: no account for this address"
        user, state = resolved
        user_id = str(user.pk)
    else:
        found = User.objects.filter(pk=user_id).first()
        if found is None:
            return "skipped: account deleted"
        user = found
    reason = _still_wanted(email_kind, user, state)
    if reason is not None:
        logger.info("%s email for user %s not sent: %s", kind, user_id, reason)
        return f"skipped: {reason}"
    try:
        # Built inside: a code email stores its code in Redis, which may be down for a
        # moment; that is retried like a provider failure.
        message = account_email_build(kind=email_kind, user=user, state=state)
        mailers.default.send_messages([message])
    except Exception as exc:
        # Only the exception's class: provider errors may echo parts of the message.
        error = type(exc).__name__
        backend = deliver_account_email.get_backend()
        if attempt >= settings.EMAIL_DELIVERY_MAX_ATTEMPTS or not backend.supports_defer:
            logger.error(
                "%s email for user %s failed for good (attempt %d): %s",
                kind,
                user_id,
                attempt,
                error,
            )
            raise EmailDeliveryFailed(
                f"{kind} email not delivered after {attempt} attempts"
            ) from None
        delay = retry_delay(attempt)
        deliver_account_email.using(run_after=timezone.now() + delay).enqueue(
            kind=kind, user_id=user_id, state=state, attempt=attempt + 1
        )
        logger.warning(
            "%s email for user %s failed (attempt %d): %s; retrying in %ds",
            kind,
            user_id,
            attempt,
            error,
            delay.total_seconds(),
        )
        return f"retry scheduled: attempt {attempt + 1}"
    logger.info("%s email sent to user %s (attempt %d)", kind, user_id, attempt)
    return "sent"


def _queue(kwargs: dict[str, Any]) -> None:
    if isinstance(deliver_account_email.get_backend(), DatabaseBackend):
        # The task row commits or rolls back together with the change that caused it.
        deliver_account_email.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: deliver_account_email.enqueue(**kwargs))


def account_email_queue(*, kind: AccountEmail, user: User, state: str = "") -> None:
    """Queue an email to `user` as part of the caller's transaction."""
    _queue({"kind": str(kind), "user_id": str(user.pk), "state": state})


def account_email_queue_for_address(*, kind: AccountEmail, address: str) -> None:
    """Queue an email to whichever account has `address`, if any (see _resolve_address)."""
    _queue({"kind": str(kind), "address": address})


def tasks_requeue_stale(*, older_than: timedelta) -> int:
    """Put tasks that a crashed worker left RUNNING back in the queue; returns how many."""
    cutoff = timezone.now() - older_than
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)

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
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.tasks import Task, task
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
    # Built inside the attempt: a code email stores its code in Redis, which may be down
    # for a moment; that is retried like a provider failure.
    return email_send_or_retry(
        deliver_account_email,
        lambda: account_email_build(kind=email_kind, user=user, state=state),
        label=f"{kind} email",
        user_id=user_id,
        attempt=attempt,
        again={"kind": kind, "user_id": user_id, "state": state},
    )


def email_send_or_retry(
    task_: Task[..., str],
    build: Callable[[], EmailMessage],
    *,
    label: str,
    user_id: str,
    attempt: int,
    again: dict[str, Any],
) -> str:
    """Build and send one email as attempt `attempt` of `task_`; on failure queue the task
    again (`again` + the next attempt) after `retry_delay`, up to EMAIL_DELIVERY_MAX_ATTEMPTS.
    The one delivery policy of every email task (accounts, mfa and securitylog notices)."""
    try:
        mailers.default.send_messages([build()])
    except Exception as exc:
        # Only the exception's class: provider errors may echo parts of the message.
        error = type(exc).__name__
        backend = task_.get_backend()
        if attempt >= settings.EMAIL_DELIVERY_MAX_ATTEMPTS or not backend.supports_defer:
            logger.error(
                "%s for user %s failed for good (attempt %d): %s", label, user_id, attempt, error
            )
            raise EmailDeliveryFailed(f"{label} not delivered after {attempt} attempts") from None
        delay = retry_delay(attempt)
        task_.using(run_after=timezone.now() + delay).enqueue(**again, attempt=attempt + 1)
        logger.warning(
            "%s for user %s failed (attempt %d): %s; retrying in %ds",
            label,
            user_id,
            attempt,
            error,
            delay.total_seconds(),
        )
        return f"retry scheduled: attempt {attempt + 1}"
    logger.info("%s sent to user %s (attempt %d)", label, user_id, attempt)
    return "sent"


def email_task_queue(task_: Task[..., str], **kwargs: Any) -> None:
    """Queue an email task as part of the caller's transaction: with the database backend
    the task row commits or rolls back together with the change that caused it; other
    backends (the immediate one of development) run it after commit."""
    if isinstance(task_.get_backend(), DatabaseBackend):
        task_.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task_.enqueue(**kwargs))


def account_email_queue(*, kind: AccountEmail, user: User, state: str = "") -> None:
    """Queue an email to `user` as part of the caller's transaction."""
    email_task_queue(deliver_account_email, kind=str(kind), user_id=str(user.pk), state=state)


def account_email_queue_for_address(*, kind: AccountEmail, address: str) -> None:
    """Queue an email to whichever account has `address`, if any (see _resolve_address)."""
    email_task_queue(deliver_account_email, kind=str(kind), address=address)


def tasks_requeue_stale(*, older_than: timedelta) -> int:
    """Put tasks that a crashed worker left RUNNING back in the queue; returns how many."""
    cutoff = timezone.now() - older_than
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)

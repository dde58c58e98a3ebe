"""Records `core.events.security_event` in the log.

The sender's request must never fail because of the log: everything here is caught and
logged (the kind and the exception's class, nothing the event carried). The row is written
once the sender's transaction commits, in a transaction of its own: an event of a change
that rolled back (a sign-in whose session was never created) is not recorded, and a
failure to record cannot break the sender's transaction. In a request served through
config/wsgi.py it is written after the answer has gone out (core/deferred.py): the answer
never carries it, and a sign-in does not wait for the log's statement.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from core.deferred import defer
from core.events import security_event
from securitylog.services import EventData, security_event_record

logger = logging.getLogger(__name__)


def _record(data: EventData) -> None:
    try:
        security_event_record(data=data)
    except Exception as exc:
        logger.error(
            "security event %s of user %s not recorded: %s",
            data.kind,
            data.user_id,
            type(exc).__name__,
        )


@receiver(security_event, dispatch_uid="securitylog.record_security_event")
def record_security_event(sender: Any, **kwargs: Any) -> None:
    try:
        kwargs.pop("signal", None)
        data = EventData.from_signal(**kwargs)
        transaction.on_commit(lambda: defer(lambda: _record(data)), robust=True)
    except Exception as exc:
        logger.error(
            "security event %s not recorded: %s", str(kwargs.get("kind")), type(exc).__name__
        )

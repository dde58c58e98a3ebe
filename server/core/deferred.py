"""Work that may wait until the answer has gone out.

`defer(task)` is for bookkeeping whose outcome the answer does not carry and that may be
lost if the process dies in between: the security log's row, a rate-limit reset. During a
request it is queued, and runs when Django sends `request_finished`: the WSGI server
closes the response after it has written the whole body, and Django's `close()` sends the
signal (Django's own test client does the same before it returns the response). Outside a
request (management commands, the worker, a service called directly) it runs at once.
Either way a task that raises is logged (its name and the exception's class, nothing it
carried) and never reaches the caller.

Each task runs in a copy of the context it was deferred in, so its log lines keep the
request's id. Django hands the request's database connections back before the tasks run
(its own `request_finished` receiver comes first), so the connections the tasks opened
are handed back after them in the same way: a threaded server's thread may never serve
another request.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connections
from django.dispatch import receiver

logger = logging.getLogger(__name__)

Task = Callable[[], object]
Queued = tuple[contextvars.Context, Task]

_queue: contextvars.ContextVar[list[Queued] | None] = contextvars.ContextVar(
    "gatehouse_deferred", default=None
)


def defer(task: Task) -> None:
    """Run `task` after the current response is out, or now when outside a request."""
    queue = _queue.get()
    if queue is None:
        _run(task)
    else:
        queue.append((contextvars.copy_context(), task))


@receiver(request_started, dispatch_uid="core.deferred.start")
def _request_started(**kwargs: Any) -> None:
    _queue.set([])


@receiver(request_finished, dispatch_uid="core.deferred.finish")
def _request_finished(**kwargs: Any) -> None:
    tasks = _queue.get()
    # From here on `defer` runs tasks at once (a task that defers another, code after the
    # request in the same thread).
    _queue.set(None)
    if not tasks:
        return
    for context, task in tasks:
        context.run(_run, task)
    for connection in connections.all(initialized_only=True):
        # What Django's close_old_connections does, except inside a transaction that
        # outlives the request (a test's): that connection is not the request's to close.
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _run(task: Task) -> None:
    try:
        task()
    except Exception as exc:
        named = getattr(task, "func", task)  # a functools.partial's function
        logger.error(
            "deferred task %s failed: %s",
            getattr(named, "__qualname__", type(named).__qualname__),
            type(exc).__name__,
        )

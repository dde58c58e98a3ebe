"""Work that may wait until the answer has gone out.

`defer(task)` is for bookkeeping whose outcome the answer does not carry and that may be
lost if the process dies in between: the security log's row, a rate-limit reset. It runs
`task` once the current request's response has been handed to the WSGI server, when the
server set up a queue for the request (fastpath.after_response, wired in by config/wsgi.py
while FAST_PATH_ENABLED); and at once everywhere else (the test client, management
commands, the worker, a streamed body, the fast path switched off). Either way a task that
raises is logged (its name and the exception's class, nothing it carried) and never reaches
the caller.

Each task runs in a copy of the context it was deferred in, so its log lines keep the
request's id.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

Task = Callable[[], object]
Queued = tuple[contextvars.Context, Task]

_queue: contextvars.ContextVar[list[Queued] | None] = contextvars.ContextVar(
    "gatehouse_deferred", default=None
)


def defer(task: Task) -> None:
    """Run `task` after the current response is out, or now when nothing will run it later."""
    queue = _queue.get()
    if queue is None:
        _run(task)
    else:
        queue.append((contextvars.copy_context(), task))


def collect() -> contextvars.Token[list[Queued] | None]:
    """Start a queue for the request about to run (the WSGI server's side)."""
    return _queue.set([])


def collected(token: contextvars.Token[list[Queued] | None]) -> list[Queued]:
    """Stop queueing (later `defer` calls run at once) and return what was queued."""
    tasks = _queue.get() or []
    _queue.reset(token)
    return tasks


def run_all(tasks: list[Queued]) -> None:
    """Run queued tasks in order, each in its own context; one failing stops none of the others."""
    for context, task in tasks:
        context.run(_run, task)


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

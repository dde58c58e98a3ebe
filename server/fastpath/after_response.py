"""Deferred work after the answer: the WSGI side of `core.deferred`.

config/wsgi.py wraps Django's WSGI application in `AfterResponse` while FAST_PATH_ENABLED.
Each request gets a queue; what the request deferred (the security log's row, a sign-in's
rate-limit reset) runs in the body's `close()`, which the WSGI server calls after it has
written the whole response: the client already has its answer (gunicorn's sync worker
closes the socket after that; behind the proxy the connection stays up, and the worker
takes its next request when the tasks are done). Without the wrapper (the fast path off,
the test client) `core.deferred.defer` runs each task at once, in the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import close_old_connections

from core import deferred

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _ThenRun:
    """The response body, with the request's deferred tasks run when the server closes it."""

    def __init__(self, body: Iterable[bytes], tasks: list[deferred.Queued]) -> None:
        self._body = body
        self._tasks = tasks

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()  # Django's: request_finished (the connection goes back to its pool)
        finally:
            tasks, self._tasks = self._tasks, []
            deferred.run_all(tasks)
            # The tasks may have taken a database connection again: hand it back as the
            # end of a request would.
            close_old_connections()


class AfterResponse:
    """WSGI middleware: run what a request deferred once its response has been written."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        token = deferred.collect()
        try:
            body = self.app(environ, start_response)
        except BaseException:
            deferred.run_all(deferred.collected(token))
            raise
        tasks = deferred.collected(token)
        # Nothing deferred: Django's own body, untouched (a FileResponse keeps the
        # server's wsgi.file_wrapper path).
        return _ThenRun(body, tasks) if tasks else body

"""The switch for OpenTelemetry tracing: off, it costs one settings read.

settings.TRACING is on while OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set
(config/settings/observability.py). config/wsgi.py calls `start()` before Django loads its
middleware, once per process: gunicorn loads the application in each worker after the
fork, so every worker has its own exporter thread. Only then is observability/otel.py,
the one module of ours that imports OpenTelemetry, imported; until then, and always when
tracing is off, nothing here touches OpenTelemetry: no tracer provider, no exporter, no
instrumentation, `schema_extensions()` is empty and `current_ids()` is None.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings

_lock = threading.Lock()
_started = False
_ids: Callable[[], tuple[str, str] | None] | None = None
_extensions: list[Any] = []


def start() -> bool:
    """Trace this process when settings.TRACING says so (once; later calls do nothing).

    Must run before Django builds its request handler: the Django instrumentation adds its
    middleware to settings.MIDDLEWARE. True when this process is traced."""
    global _started, _ids, _extensions
    with _lock:
        if _started or not settings.TRACING:
            return _started
        from observability import otel

        otel.start()
        _ids, _extensions = otel.current_ids, [otel.OperationSpan]
        _started = True
        return True


def started() -> bool:
    return _started


def schema_extensions() -> list[Any]:
    """Strawberry schema extensions for the schema's list: the span of each GraphQL
    operation when tracing, else none (config/schema.py builds the schema after start())."""
    return list(_extensions)


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) in hex of the span active in this thread, for log lines; None
    when tracing is off or no span is active."""
    ids = _ids
    return ids() if ids is not None else None

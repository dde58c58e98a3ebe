"""What the log line of the current request says about it, filled in as the request goes.

The request-log middleware (observability/middleware.py) opens one per request; the API's
context builder says who is calling (`note_viewer`); log lines written meanwhile by any
logger carry its request id, user and session (observability/logging.py).
"""

from __future__ import annotations

import contextvars
import re
import uuid
from dataclasses import dataclass, field

# What a proxy or client may send as X-Request-ID and we echo: short, and nothing that
# could forge a log line or a header.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass
class RequestInfo:
    request_id: str
    user_id: str | None = None
    session_id: str | None = None
    operation: str | None = None
    root_fields: list[str] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)
    # The request's server span when traced (observability/otel.py): the request's own log
    # line is written once that span has ended.
    trace_ids: tuple[str, str] | None = None  # (trace id, span id) in hex


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "gatehouse_request_info", default=None
)


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when it is sane, else a new random one."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current() -> RequestInfo | None:
    return _current.get()


def begin(request_id: str) -> tuple[RequestInfo, contextvars.Token[RequestInfo | None]]:
    info = RequestInfo(request_id=request_id)
    return info, _current.set(info)


def end(token: contextvars.Token[RequestInfo | None]) -> None:
    _current.reset(token)


def note_viewer(*, user_id: str | None, session_id: str | None) -> None:
    """Record the authenticated caller of the current request (no-op outside one)."""
    info = _current.get()
    if info is not None:
        info.user_id, info.session_id = user_id, session_id

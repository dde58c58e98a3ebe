"""One JSON object per log line, for production log pipelines.

Every line has `time`, `level`, `logger` and `message`; inside a request also
`request_id`, `user_id` and `session_id`; when traced (observability/tracing.py)
`trace_id` and `span_id`, of the active span or else of the request's server span; the
request log line adds the request's fields (observability/middleware.py). Strings pass
through core.logging.redact, the same patterns as the plain format's filter, so a token,
password or link never reaches the JSON either (in the message, an extra field or a
traceback).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

from core.logging import redact
from observability.context import current
from observability.tracing import current_ids

# Fields the request-log middleware passes in `extra={"request_fields": {...}}`.
REQUEST_FIELDS = "request_fields"


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _clean(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": os.getpid(),
        }
        info = current()
        if info is not None:
            line["request_id"] = info.request_id
            if info.user_id:
                line["user_id"] = info.user_id
            if info.session_id:
                line["session_id"] = info.session_id
        ids = current_ids()
        if ids is None and info is not None:
            ids = info.trace_ids
        if ids is not None:
            line["trace_id"], line["span_id"] = ids
        extra = getattr(record, REQUEST_FIELDS, None)
        if isinstance(extra, dict):
            line.update(extra)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii: a newline or control character in any value stays escaped, so one
        # record is always exactly one line.
        return json.dumps(_clean(line), ensure_ascii=True, separators=(",", ":"))

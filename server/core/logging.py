"""Keep secrets out of log lines.

Tokens travel in headers, bodies and (for links in emails) query strings. Nothing here
logs bodies, but Django logs the path and query of failing requests, and third-party code
may log URLs; this filter strips anything that looks like a token before a line is written.
"""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    # parameters that always carry secrets, wherever they appear
    (
        re.compile(
            r"(?i)\b((?:token|refresh_?token|id_?token|password|code_?verifier)=)[^&\s\"']+"
        ),
        r"\1[redacted]",
    ),
    # OAuth `code` and `state` only as URL parameters: `state=SUCCESSFUL` in a task log is fine
    (re.compile(r"(?i)([?&#](?:code|state)=)[^&\s\"']+"), r"\1[redacted]"),
    # bearer credentials
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    # anything shaped like a JWT
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True

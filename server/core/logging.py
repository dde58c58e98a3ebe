"""Keep secrets out of log lines.

Tokens travel in headers, bodies and (for links in emails) query strings. Nothing here
logs bodies or GraphQL documents, but Django logs the path of failing requests, the
development server logs request lines, third-party code may log URLs, JSON or GraphQL
text, and exception messages end up in tracebacks; this filter strips anything that looks
like a secret before a line is written, and request lines lose their query string.
"""

from __future__ import annotations

import logging
import re

# Names whose value is a secret: passwords, tokens of every kind, OAuth codes and secrets,
# in camelCase (GraphQL) or snake_case (JSON, Python) spelling.
_SECRET_NAMES = (
    r"(?:new_?|old_?|current_?|raw_?)?password"
    r"|(?:refresh_?|access_?|id_?|reset_?|verify_?|verification_?|bearer_?)?token"
    r"|code_?verifier|client_?secret|secret_?key|api_?key"
)
# A quoted value: a GraphQL block string, or a "…" or '…' string, possibly running over
# several lines (as in wrapped error output) or to the end of the text when never closed.
_QUOTED = r'(?:"""[\s\S]*?(?:"""|$)|"(?:[^"\\]|\\[\s\S])*(?:"|$)|\'(?:[^\'\\]|\\[\s\S])*(?:\'|$))'

_PATTERNS = [
    # `password: "x"` (GraphQL arguments and input objects), `"password": "x"` (JSON),
    # `'password': 'x'` (Python reprs), with any whitespace, newlines included, around `:`
    (
        re.compile(rf"(?i)([\"']?\b(?:{_SECRET_NAMES})[\"']?\s*[:=]\s*){_QUOTED}"),
        r'\1"[redacted]"',
    ),
    # an OAuth `code` in GraphQL or JSON; enum-like values (`"code": "BAD_REQUEST"`) stay
    (
        re.compile(rf"(?i)([\"']?\bcode[\"']?\s*:\s*)(?![\"'](?-i:[A-Z0-9_]*)[\"']){_QUOTED}"),
        r'\1"[redacted]"',
    ),
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

# An HTTP request line as access logs write it: `GET /path?query HTTP/1.1`.
_REQUEST_LINE_QUERY = re.compile(
    r"\b((?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT) [^\s?\"]*)\?[^\s\"]*"
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def strip_query_strings(text: str) -> str:
    """Request lines without their query string: a careless client may put a token there."""
    return _REQUEST_LINE_QUERY.sub(r"\1", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites the record itself, so every handler after it sees the cleaned text: the
    message, request lines without their query string, and the traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = strip_query_strings(redact(message))
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: exception messages are redacted too.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True

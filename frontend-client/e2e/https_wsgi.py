"""The API as production runs it behind a TLS-terminating load balancer, for the browser tests.

Production trusts `X-Forwarded-Proto: https` from its load balancer (SECURE_PROXY_SSL_HEADER)
and redirects anything else to HTTPS; it takes the client IP from X-Forwarded-For
(TRUSTED_PROXY_COUNT=1). The browser tests speak plain HTTP to localhost (which Chromium
treats as a secure origin, so the Secure refresh cookie works), so this wrapper plays the
load balancer: it adds the two headers a real one would add, and changes nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from config.wsgi import application as django_application


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    environ["HTTP_X_FORWARDED_PROTO"] = "https"
    environ["HTTP_X_FORWARDED_FOR"] = environ.get("REMOTE_ADDR", "127.0.0.1")
    return django_application(environ, start_response)

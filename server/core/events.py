"""Domain events that operators count: signals any domain may send, defined down here in
core so that domains never import the observability package (which sits on top, beside
api/ and config/). `observability` connects its receivers at start; with nobody
listening, sending one costs a function call.

Every argument is a short fixed word, never an identity or a secret.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.dispatch import Signal

from core.errors import DomainError

# method: "password" | "google"; result: "ok" or the lower-cased error code
sign_in_attempted = Signal()
# A spent refresh token came back outside the grace window (the session was ended).
refresh_token_reused = Signal()
# scope: the rate limit's scope, e.g. "login:email"
rate_limit_refused = Signal()

_P = ParamSpec("_P")
_R = TypeVar("_R")


def counts_sign_in(method: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Send `sign_in_attempted` with the outcome of the decorated sign-in service."""

    def decorate(service: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(service)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                result = service(*args, **kwargs)
            except DomainError as exc:
                sign_in_attempted.send(None, method=method, result=str(exc.code).lower())
                raise
            sign_in_attempted.send(None, method=method, result="ok")
            return result

        return wrapper

    return decorate

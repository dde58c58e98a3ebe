"""Domain events that operators count: signals any domain may send, defined down here in
core so that domains never import the observability package (which sits on top, beside
api/ and config/). `observability` connects its receivers at start; with nobody
listening, sending one costs a function call.

Every argument is a short fixed word, never an identity or a secret.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import ParamSpec, TypeVar

from django.dispatch import Signal

from core.errors import DomainError
from core.net import NO_REQUEST, Caller

# method: "password" | "google" | "passkey" | "second_factor"; result: "ok" or the lower-cased
# error code ("second_factor_required" when a first factor passed and a second is asked for)
sign_in_attempted = Signal()
# A spent refresh token came back outside the grace window (the session was ended).
refresh_token_reused = Signal()
# scope: the rate limit's scope, e.g. "login:email"
rate_limit_refused = Signal()


class SecurityEventKind(StrEnum):
    """What the per-user security log records (securitylog stores them, the viewer reads
    them with `securityEvents`). Stored by value: add kinds, never rename one."""

    SIGN_IN = "sign_in"  # a session started (any method; success)
    SIGN_IN_FAILED = "sign_in_failed"  # a known account refused a sign-in (wrong password, code…)
    NEW_DEVICE = "new_device"  # a sign-in from a device not seen before (a notice is emailed)
    SECOND_FACTOR_FAILED = "second_factor_failed"  # a wrong TOTP/recovery code or passkey
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGED = "email_changed"
    EMAIL_VERIFIED = "email_verified"
    TOTP_ENABLED = "totp_enabled"
    TOTP_DISABLED = "totp_disabled"
    RECOVERY_CODES_GENERATED = "recovery_codes_generated"
    RECOVERY_CODE_USED = "recovery_code_used"
    PASSKEY_ADDED = "passkey_added"
    PASSKEY_REMOVED = "passkey_removed"
    STEP_UP = "step_up"  # the viewer re-authenticated for a sensitive change
    REFRESH_TOKEN_REUSED = "refresh_token_reused"  # a spent refresh token came back; session ended
    SESSION_ENDED = "session_ended"  # sign-out, revokeSession
    ALL_SESSIONS_ENDED = "all_sessions_ended"  # logoutAll, or credentials changed


# One entry in a user's security log. Keyword arguments:
#   kind: SecurityEventKind; user_id: the account's id (str or UUID);
#   ip_address: str | None; user_agent: str (may be ""); method: a short fixed word or "" (
#   "password", "google", "passkey", "totp", "recovery_code", "code", "link"…);
#   session_id: str | None. Receivers must not raise into the sender's request, and nothing
#   of a secret (password, token, code) is ever passed.
security_event = Signal()


def security_event_send(
    kind: SecurityEventKind,
    user_id: object,
    caller: Caller = NO_REQUEST,
    *,
    method: str = "",
    session_id: object = None,
) -> None:
    """Send `security_event` in its one shape: ids as strings, the address and device of
    `caller` (no empty address, the user agent cut to what the log keeps). Every domain
    sends through here."""
    security_event.send(
        None,
        kind=kind,
        user_id=str(user_id),
        ip_address=caller.ip_address or None,
        user_agent=(caller.user_agent or "")[:300],
        method=method,
        session_id=None if session_id is None else str(session_id),
    )


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

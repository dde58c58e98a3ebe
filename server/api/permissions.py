"""Field permissions. Raise top-level errors; payload errors are for what users can fix.

The one exception is step-up (`require_recent_authentication`): a signed-in user can fix it
by re-authenticating, so it is the payload error STEP_UP_REQUIRED, raised inside the
service call that `payload_from` wraps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from strawberry.types import Info

from api.context import Context
from core.errors import CoreErrorCode, DomainError

if TYPE_CHECKING:
    from accounts.models import User


def viewer_user(info: Info[Context, None]) -> User:
    """The signed-in user, or a top-level UNAUTHENTICATED error."""
    return info.context.viewer.require_user()


def require_recent_authentication(info: Info[Context, None]) -> None:
    """Sensitive changes (password, sessions, second factors) need a session that signed
    in or re-authenticated within STEP_UP_WINDOW: a stolen but older session cannot make
    them. Raises the payload error STEP_UP_REQUIRED (call it inside the service call that
    `payload_from` wraps); a caller who is not signed in gets top-level UNAUTHENTICATED."""
    viewer = info.context.viewer
    viewer.require_user()
    if not viewer.authenticated_within(settings.STEP_UP_WINDOW):
        raise DomainError(
            CoreErrorCode.STEP_UP_REQUIRED,
            "Confirm it is you first: re-authenticate (`reauthenticate`) and try again.",
        )


def stepped_up[T](info: Info[Context, None], service: Callable[[], T]) -> Callable[[], T]:
    """The service, run only after `require_recent_authentication`: what a mutation that
    makes a sensitive change hands to `payload_from`."""

    def run() -> T:
        require_recent_authentication(info)
        return service()

    return run

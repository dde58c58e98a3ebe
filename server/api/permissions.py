"""Field permissions. Raise top-level errors; payload errors are for what users can fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strawberry.types import Info

from api.context import Context

if TYPE_CHECKING:
    from accounts.models import User


def viewer_user(info: Info[Context, None]) -> User:
    """The signed-in user, or a top-level UNAUTHENTICATED error."""
    return info.context.viewer.require_user()

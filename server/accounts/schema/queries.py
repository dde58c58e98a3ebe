from __future__ import annotations

import strawberry
from strawberry.types import Info

from accounts.schema.types import User
from api.context import Context


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user, or null when anonymous.")
    def me(self, info: Info[Context, None]) -> User | None:
        return info.context.viewer.display_user  # type: ignore[return-value]

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.context import Context
from api.permissions import viewer_user
from passkeys import selectors
from passkeys.schema.types import Passkey


@strawberry.type
class Query:
    @strawberry.field(description="The viewer's passkeys, oldest first.")
    def passkeys(self, info: Info[Context, None]) -> list[Passkey]:
        user = viewer_user(info)
        return [Passkey.from_model(passkey) for passkey in selectors.passkeys_of_user(user.pk)]

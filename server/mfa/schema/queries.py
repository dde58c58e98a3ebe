from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.context import Context
from api.permissions import viewer_user
from mfa import selectors
from mfa.schema.types import SecondFactors


@strawberry.type
class Query:
    @strawberry.field(
        description="The viewer's second factors: authenticator app, recovery codes left, passkeys."
    )
    def second_factors(self, info: Info[Context, None]) -> SecondFactors:
        user = viewer_user(info)
        return SecondFactors.from_summary(selectors.second_factors_summary(user))

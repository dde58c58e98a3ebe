from __future__ import annotations

import strawberry

from membership import selectors
from membership.schema.types import Plan


@strawberry.type
class Query:
    @strawberry.field(description="Plans open for subscription, cheapest tier first.")
    def plans(self) -> list[Plan]:
        return list(selectors.plan_list_active())  # type: ignore[arg-type]

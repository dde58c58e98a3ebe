from __future__ import annotations

import strawberry
from django.utils import timezone
from strawberry.types import Info

from api.context import Context
from api.permissions import viewer_user
from tokens import selectors
from tokens.schema.types import Session


@strawberry.type
class Query:
    @strawberry.field(description="The viewer's active sessions, most recently used first.")
    def sessions(self, info: Info[Context, None]) -> list[Session]:
        user = viewer_user(info)
        current = info.context.viewer.session_id
        return [
            Session.from_model(session, current_id=current)
            for session in selectors.sessions_active(user=user, now=timezone.now())
        ]

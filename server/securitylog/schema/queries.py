from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info
from strawberry_django.relay.cursor_connection import (
    OrderedCollectionCursor,
    annotate_ordering_fields,
)

from api.context import Context
from api.errors import BadRequest
from api.permissions import viewer_user
from securitylog import selectors
from securitylog.schema.types import SecurityEventConnection

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@strawberry.type
class Query:
    @strawberry.field(
        description="The viewer's security log (sign-ins, refused passwords, new devices, "
        "credential changes, ended sessions), newest first; at most "
        f"{MAX_PAGE_SIZE} a page. Kept for SECURITY_LOG_RETENTION_DAYS (default 365)."
    )
    def security_events(
        self,
        info: Info[Context, None],
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"At most this many entries (0 to {MAX_PAGE_SIZE}) after "
                f"`after`, or from the newest; null means {DEFAULT_PAGE_SIZE}."
            ),
        ] = DEFAULT_PAGE_SIZE,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="The `endCursor` (or an edge's `cursor`) of the previous page."
            ),
        ] = None,
    ) -> SecurityEventConnection:
        user = viewer_user(info)
        if first is None:
            first = DEFAULT_PAGE_SIZE
        # Out-of-range sizes and made-up cursors are the client's mistake: BAD_REQUEST, as
        # for `articles`, not a masked server error from deep inside the pagination.
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise BadRequest(f"`first` must be between 0 and {MAX_PAGE_SIZE}.")
        events = selectors.security_events_of(user=user)
        if after:
            _, descriptors, _ = annotate_ordering_fields(events)
            try:
                OrderedCollectionCursor.from_cursor(after, descriptors)
            except (ValueError, TypeError):
                raise BadRequest("`after` is not a cursor from this list.") from None
        page = SecurityEventConnection.resolve_connection(
            events,  # type: ignore[arg-type]
            info=info,
            first=first,
            after=after,
            max_results=MAX_PAGE_SIZE,
        )
        return page  # type: ignore[return-value]

from __future__ import annotations

from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry_django.relay import DjangoCursorConnection

from api.errors import BadRequest
from content import models, selectors
from content.schema.types import Article

MAX_PAGE_SIZE = 100


@strawberry.type(
    name="ArticleConnection",
    description="A page of articles, newest first, with keyset cursors.",
)
class ArticleConnection(DjangoCursorConnection[Article]):
    @classmethod
    def resolve_connection(cls, nodes: Any, *, info: Any, **kwargs: Any) -> Any:
        # Out-of-range page sizes are the client's mistake: BAD_REQUEST, not a masked 500.
        for name in ("first", "last"):
            value = kwargs.get(name)
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                raise BadRequest(f"`{name}` must be between 0 and {MAX_PAGE_SIZE}.")
        return super().resolve_connection(nodes, info=info, **kwargs)


@strawberry.type
class Query:
    @strawberry_django.connection(
        ArticleConnection,
        description=(
            f"Published articles, newest first; at most {MAX_PAGE_SIZE} a page. Bodies of "
            "articles the viewer is not entitled to are null."
        ),
        max_results=MAX_PAGE_SIZE,
    )
    def articles(self) -> QuerySet[models.Article]:
        return selectors.article_list_published()

    @strawberry_django.field(description="A published article by its slug, or null.")
    def article(self, slug: str) -> Article | None:
        return selectors.article_get_published(slug=slug)  # type: ignore[return-value]

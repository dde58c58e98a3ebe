from __future__ import annotations

from typing import Annotated, Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry_django.fields.field import StrawberryDjangoConnectionExtension
from strawberry_django.relay import DjangoCursorConnection, DjangoCursorEdge
from strawberry_django.relay.cursor_connection import (
    OrderedCollectionCursor,
    annotate_ordering_fields,
)

from api.errors import BadRequest
from content import models, selectors
from content.schema.types import Article

MAX_PAGE_SIZE = 100


PAGE_ARGUMENTS = {
    "first": f"Forward paging: at most this many articles (0 to {MAX_PAGE_SIZE}) after "
    "`after`, or from the newest.",
    "after": "Forward paging: the `endCursor` (or an edge's `cursor`) of the previous page.",
    "last": f"Backward paging: at most this many articles (0 to {MAX_PAGE_SIZE}) before "
    "`before`, or up to the oldest.",
    "before": "Backward paging: the `startCursor` (or an edge's `cursor`) of the next page.",
}


class _DocumentedPageArguments(StrawberryDjangoConnectionExtension):
    """Strawberry's page arguments with correct descriptions (its `last` said "after")."""

    def apply(self, field: Any) -> None:
        super().apply(field)
        for argument in field.arguments:
            if argument.python_name in PAGE_ARGUMENTS:
                argument.description = PAGE_ARGUMENTS[argument.python_name]


def _with_documented_page_arguments(field: Any) -> Any:
    field.extensions = [
        _DocumentedPageArguments(max_results=MAX_PAGE_SIZE)
        if isinstance(extension, StrawberryDjangoConnectionExtension)
        else extension
        for extension in field.extensions
    ]
    return field


@strawberry.type(name="ArticleEdge", description="One article of a page, with its cursor.")
class ArticleEdge(DjangoCursorEdge[Article]):
    pass


@strawberry.type(
    name="ArticleConnection",
    description="A page of articles, newest first, with keyset cursors.",
)
class ArticleConnection(DjangoCursorConnection[Article]):
    edges: list[ArticleEdge] = strawberry.field(  # type: ignore[assignment]
        description="The articles of this page, each with its cursor."
    )

    @classmethod
    def resolve_connection(cls, nodes: Any, *, info: Any, **kwargs: Any) -> Any:
        # Out-of-range page sizes are the client's mistake: BAD_REQUEST, not a masked 500.
        for name in ("first", "last"):
            value = kwargs.get(name)
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                raise BadRequest(f"`{name}` must be between 0 and {MAX_PAGE_SIZE}.")
        # A cursor the client made up or mangled is its mistake too (strawberry_django
        # raises a bare ValueError for it deep inside the pagination).
        for name in ("after", "before"):
            cursor = kwargs.get(name)
            if cursor and not _is_cursor_of(nodes, cursor):
                raise BadRequest(f"`{name}` is not a cursor from this list.")
        return super().resolve_connection(nodes, info=info, **kwargs)


def _is_cursor_of(nodes: QuerySet[Any], cursor: str) -> bool:
    _, descriptors, _ = annotate_ordering_fields(nodes)
    try:
        OrderedCollectionCursor.from_cursor(cursor, descriptors)
    except (ValueError, TypeError):
        return False
    return True


@strawberry.type
class Query:
    @_with_documented_page_arguments
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
    def article(
        self,
        slug: Annotated[
            str, strawberry.argument(description="The article's `slug`, as in its URL.")
        ],
    ) -> Article | None:
        return selectors.article_get_published(slug=slug)  # type: ignore[return-value]

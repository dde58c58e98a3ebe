from __future__ import annotations

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry_django.relay import DjangoCursorConnection

from content import models, selectors
from content.schema.types import Article

MAX_PAGE_SIZE = 100


@strawberry.type
class Query:
    @strawberry_django.connection(
        DjangoCursorConnection[Article],
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

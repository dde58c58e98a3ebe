from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry_django
from strawberry import relay
from strawberry.types import Info

from api.context import Context
from api.node import in_order_of, pk_ids
from content import models, selectors
from membership.entitlement import FREE_TIER, access_for_context


@strawberry_django.type(
    models.Article,
    name="Article",
    description=(
        "An article. Its `body` is only given to viewers entitled to it; everything else is public."
    ),
)
class Article(relay.Node):
    slug: str = strawberry_django.field(description="Stable identifier used in URLs.")
    title: str = strawberry_django.field(description="Headline.")
    summary: str = strawberry_django.field(
        description="A short teaser written separately from the body; always public."
    )
    published_at: datetime = strawberry_django.field(description="When it was published.")
    required_tier: int = strawberry_django.field(
        description="The plan tier needed to read the body; 0 is free."
    )

    @classmethod
    def resolve_id_attr(cls) -> str:
        # The global id is the primary key. Without this, strawberry re-scans and
        # re-evaluates the type's annotations for every node's `id` (the scan result is
        # only cached when a NodeID field exists): half the time of a 100-article page.
        return "pk"

    @classmethod
    def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[models.Article | None]:
        """`Query.node`: only published articles, as everywhere else."""
        ids = [str(node_id) for node_id in node_ids]
        return in_order_of(ids, selectors.article_list_published().filter(pk__in=pk_ids(ids)))

    @strawberry_django.field(only=["required_tier"], description="True when a plan is needed.")
    def premium(self, root: models.Article) -> bool:
        return root.required_tier > FREE_TIER

    @strawberry_django.field(
        only=["required_tier"],
        description="True when the viewer may not read the body (and `body` is null).",
    )
    def locked(self, root: models.Article, info: Info[Context, None]) -> bool:
        return not _may_read(root, info)

    @strawberry_django.field(
        only=["body", "required_tier"],
        description="The full text, or null when `locked`.",
    )
    def body(self, root: models.Article, info: Info[Context, None]) -> str | None:
        return root.body if _may_read(root, info) else None


def _may_read(article: models.Article, info: Info[Context, None]) -> bool:
    if article.required_tier <= FREE_TIER:
        return True
    return access_for_context(info.context).may_read(article.required_tier)

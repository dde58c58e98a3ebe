"""The one GraphQL schema: each domain contributes its Query and Mutation types."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from django.conf import settings
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry_django.optimizer import DjangoOptimizerExtension

import accounts.schema
import content.schema
import membership.schema
import social.schema
import tokens.schema
from api.extensions import ApiGate

Query = merge_types(
    "Query",
    (
        accounts.schema.Query,
        membership.schema.Query,
        content.schema.Query,
        tokens.schema.Query,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        accounts.schema.Mutation,
        membership.schema.Mutation,
        tokens.schema.Mutation,
        social.schema.Mutation,
    ),
)


def _extensions(
    *, max_depth: int, max_aliases: int, max_tokens: int, introspection: bool
) -> list[Callable[[], SchemaExtension]]:
    # The limit rules are built once: ValidationCache keys on the rule classes, and a
    # fresh QueryDepthLimiter per request would make a fresh class and never hit the cache.
    limit_rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    if not introspection:
        limit_rules += DisableIntrospection().validation_rules
    gate_rules = tuple(limit_rules)
    return [
        # One extension parses (token-limited) and validates, each cached per document,
        # and refuses bad bearer tokens: clients send the same few documents over and over.
        lambda: ApiGate(max_tokens=max_tokens, rules=gate_rules),
        DjangoOptimizerExtension,
    ]


def build_schema(
    *,
    max_depth: int | None = None,
    max_aliases: int | None = None,
    max_tokens: int | None = None,
    introspection: bool | None = None,
) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=_extensions(
            max_depth=max_depth or settings.GRAPHQL_MAX_DEPTH,
            max_aliases=max_aliases or settings.GRAPHQL_MAX_ALIASES,
            max_tokens=max_tokens or settings.GRAPHQL_MAX_TOKENS,
            introspection=(
                settings.GRAPHQL_INTROSPECTION if introspection is None else introspection
            ),
        ),
        config=StrawberryConfig(auto_camel_case=True),
    )


schema = build_schema()

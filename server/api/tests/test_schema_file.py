from pathlib import Path
from typing import Any

from django.conf import settings
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_schema,
)

from ops.management.commands.write_schema import current_sdl


def test_schema_graphql_matches_the_code():
    path = Path(settings.BASE_DIR) / "schema.graphql"
    assert path.read_text() == current_sdl(), (
        "schema.graphql is out of date: run `uv run python manage.py write_schema`"
    )


BUILT_IN_SCALARS = {"String", "Boolean", "Int", "Float", "ID"}


def undocumented_schema_elements(graphql_schema: Any) -> list[str]:
    """Every type, field, argument, enum value and input field without a description,
    walked from the GraphQL schema itself (so nothing a client sees is skipped)."""
    missing = []
    for type_ in graphql_schema.type_map.values():
        if type_.name.startswith("__") or type_.name in BUILT_IN_SCALARS:
            continue
        if not type_.description:
            missing.append(type_.name)
        if isinstance(type_, GraphQLEnumType):
            missing += [f"{type_.name}.{n}" for n, v in type_.values.items() if not v.description]
        if isinstance(type_, GraphQLInputObjectType):
            missing += [f"{type_.name}.{n}" for n, f in type_.fields.items() if not f.description]
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{type_.name}.{name}")
                missing += [
                    f"{type_.name}.{name}({arg})"
                    for arg, value in field.args.items()
                    if not value.description
                ]
    for directive in graphql_schema.directives:
        if not directive.description:
            missing.append(f"@{directive.name}")
    return missing


def test_everything_in_the_schema_is_documented():
    from config.schema import schema

    assert undocumented_schema_elements(schema._schema) == []


def test_the_walk_finds_what_is_undocumented():
    # The check above is only as good as the walk: an SDL with one gap of each kind.
    sdl = '''
    """Q""" type Query { """f""" f(a: Int): E  g: Int }
    enum E { """x""" X Y }
    """I""" input I { a: Int }
    '''
    assert sorted(undocumented_schema_elements(build_schema(sdl))) == sorted(
        ["E", "E.Y", "I.a", "Query.f(a)", "Query.g"]
    )

from pathlib import Path

from django.conf import settings

from core.management.commands.write_schema import current_sdl


def test_schema_graphql_matches_the_code():
    path = Path(settings.BASE_DIR) / "schema.graphql"
    assert path.read_text() == current_sdl(), (
        "schema.graphql is out of date: run `uv run python manage.py write_schema`"
    )


def test_every_type_and_field_is_documented():
    from api.schema import schema

    undocumented = []
    for type_ in schema._schema.type_map.values():
        if type_.name.startswith("__") or type_.name in {"String", "Boolean", "Int", "Float", "ID"}:
            continue
        fields = getattr(type_, "fields", None)
        if fields is None:
            continue
        if type(type_).__name__ == "GraphQLInputObjectType":
            continue
        for name, field in fields.items():
            if not field.description and type_.name not in {"Query", "Mutation"}:
                undocumented.append(f"{type_.name}.{name}")
            if type_.name in {"Query", "Mutation"} and not field.description:
                undocumented.append(f"{type_.name}.{name}")
    assert undocumented == []

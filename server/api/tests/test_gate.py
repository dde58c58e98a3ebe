"""The request gate (api/gate.py) remembers what it learnt of a document by its text: a
repeated document is parsed and validated once per process, and the verdict is the same
as the first time."""

from __future__ import annotations

import pytest

from api.gate import MEMO_MAX_CHARS, Gate, GateLimits
from api.testing import GraphQLClient
from config.schema import build_schema

ME = "{ me { id email } }"
DEEP = "{ me { profile { displayName } } }"


def limits(**kwargs: int) -> GateLimits:
    values = {"max_tokens": 2000, "max_depth": 10, "max_fields": 100, "max_aliases": 15}
    values.update(kwargs)
    return GateLimits(introspection=True, **values)


def test_the_same_text_is_parsed_once() -> None:
    gate = Gate(limits())
    first = gate.verdict(ME)
    assert gate.verdict(ME) is first
    assert first.gate_errors == []


def test_a_costly_document_is_judged_by_the_gate_rules() -> None:
    gate = Gate(limits(max_depth=1))
    assert gate.verdict(DEEP).gate_errors
    assert Gate(limits(max_depth=2)).verdict(DEEP).gate_errors == []


def test_long_texts_are_never_remembered() -> None:
    gate = Gate(limits(max_tokens=100_000))
    long_text = ME + " " * (MEMO_MAX_CHARS + 1)
    gate.verdict(long_text)
    assert gate.remembered.cache_info().currsize == 0  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_repeated_document_is_validated_once_and_answers_the_same(monkeypatch) -> None:
    schema = build_schema()
    runs: list[str] = []
    import strawberry.schema.schema as strawberry_schema

    real = strawberry_schema.validate_document

    def counting(*args, **kwargs):
        runs.append("validate")
        return real(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate_document", counting)
    first = schema.execute_sync("{ plans { slug } }")
    second = schema.execute_sync("{ plans { slug } }")
    assert first.errors is None and second.errors is None
    assert first.data == second.data
    assert runs == ["validate"]
    # an invalid document keeps its errors on every request
    bad = [schema.execute_sync("{ plans { nope } }") for _ in range(2)]
    assert all(r.errors and "nope" in r.errors[0].message for r in bad)
    assert runs == ["validate", "validate"]


def test_several_operations_without_a_name_are_refused(gql: GraphQLClient) -> None:
    result = gql("query A { plans { slug } } query B { plans { name } }")
    assert result.data is None
    assert result.error_codes == ["BAD_REQUEST"]
    assert "operationName" in result.errors[0]["message"]

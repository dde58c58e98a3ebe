"""The gate's remembered outcomes are found by the parsed document's identity (no hashing
of the whole tree per request), and give the same answers as the plain gate."""

from __future__ import annotations

from unittest import mock

from graphql import DocumentNode, GraphQLError, parse

from api.extensions import validate_gated
from config.schema import schema
from fastpath import gate_cache

ME = "{ me { id email } }"
DEEP = "{ me { id email " + "".join(f"a{i}: email " for i in range(400)) + "} }"


def _validate(document: DocumentNode) -> list[GraphQLError]:
    return gate_cache.validate_cached(schema._schema, document, schema.all_rules, schema.gate_rules)


def test_the_same_document_is_validated_once_without_hashing_its_tree() -> None:
    document = gate_cache.parse_cached(ME, schema.max_tokens)
    assert gate_cache.parse_cached(ME, schema.max_tokens) is document
    with mock.patch.object(gate_cache, "validate_gated", wraps=validate_gated) as plain:
        first = _validate(document)
        with mock.patch.object(type(document), "__hash__", side_effect=AssertionError):
            assert _validate(document) is first
            assert gate_cache.lean_operation(document, None) is True
    assert plain.call_count <= 1  # 0 when an earlier test already validated it
    assert first == []


def test_an_equal_document_parsed_elsewhere_gets_the_same_verdict() -> None:
    cached = gate_cache.parse_cached(DEEP, schema.max_tokens)
    elsewhere = parse(DEEP)
    assert elsewhere == cached and elsewhere is not cached
    expected = validate_gated(schema._schema, elsewhere, schema.all_rules, schema.gate_rules)
    assert expected, "the alias limit refuses this document"
    for document in (cached, elsewhere, cached):
        errors = _validate(document)
        assert [e.message for e in errors] == [e.message for e in expected]


def test_lean_operation_follows_the_root_fields() -> None:
    lean = gate_cache.parse_cached(ME, schema.max_tokens)
    heavy = gate_cache.parse_cached("{ articles(first: 1) { totalCount } }", schema.max_tokens)
    named = gate_cache.parse_cached(
        "query A { me { id } } query B { articles { totalCount } }", schema.max_tokens
    )
    assert gate_cache.lean_operation(lean, None) is True
    assert gate_cache.lean_operation(heavy, None) is False
    assert gate_cache.lean_operation(named, "A") is True
    assert gate_cache.lean_operation(named, "B") is False
    assert gate_cache.lean_operation(named, None) is False  # ambiguous
    assert gate_cache.lean_operation(None, None) is False

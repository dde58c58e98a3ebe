"""The request gate: one Strawberry schema extension that every operation passes.

It parses with a token limit, refuses costly documents (api/extensions.py's rules, linear
in the document's size) before the spec's validation rules run, and refuses the operation
when the request carried a bearer token that failed (except `refresh` and `logout`).

Clients send the same few documents over and over, so what the gate learns of a document
(its syntax tree, the cost rules' verdict, the spec's validation errors) is remembered per
process, keyed by the document's text: a repeat costs one dictionary look-up instead of a
parse and two validations. The memo is bounded (least recently used out), and long texts
are never kept, so unique documents cannot grow memory. It is built on Strawberry's public
extension hooks (`on_operation`, `on_parse`, `on_validate`, `on_execute`): Strawberry
skips its own parsing when an extension has set `graphql_document`, and its own
validation when one has set `pre_execution_errors`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from api.extensions import bearer_refused, cost_errors, expensive_mutation_errors

# Documents longer than this are parsed and validated every time (real ones are a few KB).
MEMO_MAX_CHARS = 16_384
MEMO_SIZE = 512


@dataclass(frozen=True)
class GateLimits:
    """The gate's limits, fixed when the schema is built."""

    max_tokens: int
    max_depth: int
    max_fields: int
    max_aliases: int
    introspection: bool


class Verdict:
    """What the gate knows of one document: its tree, the cost rules' errors, and the
    spec's validation errors once a request has run them (None until then).

    Shared between requests: nothing may mutate the document or the errors."""

    __slots__ = ("document", "gate_errors", "validation_errors")

    def __init__(self, document: DocumentNode, gate_errors: list[GraphQLError]) -> None:
        self.document = document
        self.gate_errors = gate_errors
        self.validation_errors: list[GraphQLError] | None = None


class Gate:
    """The limits and the per-process memo of one schema."""

    def __init__(self, limits: GateLimits) -> None:
        self.limits = limits
        self.remembered: Callable[[str], Verdict] = functools.lru_cache(maxsize=MEMO_SIZE)(
            self.judge
        )

    def judge(self, query: str) -> Verdict:
        """Parse `query` and run the cost rules; raises GraphQLError when it does not parse."""
        document = parse(query, max_tokens=self.limits.max_tokens)
        limits = self.limits
        errors = cost_errors(
            document,
            max_fields=limits.max_fields,
            max_depth=limits.max_depth,
            max_aliases=limits.max_aliases,
        )
        return Verdict(document, errors or expensive_mutation_errors(document))

    def verdict(self, query: str) -> Verdict:
        """The verdict on `query`, remembered unless the text is long."""
        if len(query) > MEMO_MAX_CHARS:
            return self.judge(query)
        return self.remembered(query)

    def extension(self) -> RequestGate:
        """A fresh extension for one operation (Strawberry sets its execution context)."""
        return RequestGate(self)


def unnamed_choice(query: str | None, operation_name: str | None, gate: Gate) -> bool:
    """True when `query` holds several operations and the request names none of them
    (Strawberry would quietly run the first one; the spec says this is an error)."""
    if operation_name is not None or not query:
        return False
    try:
        document = gate.verdict(query).document
    except GraphQLError:
        return False  # the syntax error is reported by the parse
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) > 1


class RequestGate(SchemaExtension):
    """The gate's hooks for one operation."""

    def __init__(self, gate: Gate) -> None:
        super().__init__()
        self.gate = gate
        self.verdict: Verdict | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # For Strawberry's own parse of a document the gate could not parse itself (it
        # reports the syntax error).
        context.parse_options["max_tokens"] = self.gate.limits.max_tokens
        if not self.gate.limits.introspection:
            context.validation_rules = (*context.validation_rules, NoSchemaIntrospectionCustomRule)
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            try:
                self.verdict = self.gate.verdict(context.query)
            except GraphQLError:
                pass  # Strawberry parses it again and answers the syntax error
            else:
                context.graphql_document = self.verdict.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        verdict = self.verdict
        if verdict is None:
            yield
            return
        if verdict.gate_errors:
            # A document built to be expensive never reaches the spec's rules (a 5 KB
            # fragment chain costs them a second of CPU).
            context.pre_execution_errors = verdict.gate_errors
        elif verdict.validation_errors is not None:
            context.pre_execution_errors = verdict.validation_errors
        yield
        if verdict.validation_errors is None and not verdict.gate_errors:
            verdict.validation_errors = list(context.pre_execution_errors or ())

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        auth_error = getattr(context.context, "auth_error", None)
        document = context.graphql_document
        if (
            auth_error is not None
            and document is not None
            and bearer_refused(document, context.operation_name)
        ):
            # A present but bad token: the client must refresh rather than silently see
            # what an anonymous caller sees.
            raise auth_error
        yield

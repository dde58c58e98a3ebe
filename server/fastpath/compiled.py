"""Statements Django compiles once, bound to new values on every call.

Compiling an ORM query is most of the Python work of a simple statement (about 2 ms for
the sign-in's user lookup with its two EXISTS on the development VM, right after a password
hash has left the caches cold). The fast path's hot statements are compiled once from
stand-in values; each call swaps the real values in by position.

Only for values that Django passes to the driver as they are (strings, UUIDs and aware
datetimes on PostgreSQL), and statements whose text never depends on the values: each user
checks its statement against Django's own compilation in its tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Statement:
    """SQL with the slot each parameter fills (None: a constant, kept as compiled)."""

    sql: str
    slots: tuple[str | None, ...]
    constants: tuple[Any, ...]

    def params(self, values: Mapping[str, Any]) -> list[Any]:
        return [
            constant if slot is None else values[slot]
            for slot, constant in zip(self.slots, self.constants, strict=True)
        ]


def with_slots(
    sql: str, compiled: list[Any] | tuple[Any, ...], stand_ins: Mapping[str, Any]
) -> Statement:
    """The statement Django compiled to (`sql`, `compiled`) from `stand_ins`, with each
    parameter that is one of them turned into its slot. Raises RuntimeError when a stand-in
    is nowhere among the parameters (the statement would silently ignore its value)."""
    slots: list[str | None] = []
    for value in compiled:
        found = [
            name for name, mark in stand_ins.items() if type(value) is type(mark) and value == mark
        ]
        slots.append(found[0] if found else None)
    missing = set(stand_ins) - set(slots)
    if missing:
        raise RuntimeError(f"the compiled statement lost its parameters {sorted(missing)}")
    return Statement(sql=sql, slots=tuple(slots), constants=tuple(compiled))

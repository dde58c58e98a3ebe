"""Reading configuration from the environment.

Development runs on embedded defaults; production must name every value. Rather than
failing on the first missing or malformed variable, `Env` collects them all so that an
operator sees the complete list in one start attempt.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(raw: str) -> timedelta:
    """Parse `300`, `300s`, `5m`, `14d` or `1h` into a timedelta."""
    value = raw.strip().lower()
    unit = 1
    if value and value[-1] in _UNITS:
        unit = _UNITS[value[-1]]
        value = value[:-1]
    try:
        seconds = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"not a duration: {raw!r} (use e.g. 300, 5m, 14d)") from exc
    if seconds <= 0:
        raise ImproperlyConfigured(f"duration must be positive: {raw!r}")
    return timedelta(seconds=seconds * unit)


def parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


class Env:
    """Typed access to environment variables with per-environment defaults."""

    def __init__(self, *, production: bool, environ: dict[str, str] | None = None) -> None:
        self.production = production
        self.environ = os.environ if environ is None else environ
        self.missing: list[str] = []
        self.invalid: list[str] = []

    def _get[T](self, name: str, dev_default: T, parse: Callable[[str], T], required: bool) -> T:
        raw = self.environ.get(name, "")
        if raw.strip() == "":
            if self.production and required:
                self.missing.append(name)
            return dev_default
        try:
            return parse(raw)
        except ImproperlyConfigured as exc:
            # Reported by check() with everything else that is wrong; the default stands in
            # until then so that the remaining settings can still be read.
            self.invalid.append(f"{name}: {exc}")
            return dev_default

    def str(
        self, name: builtins.str, dev_default: builtins.str = "", *, required: bool = True
    ) -> builtins.str:
        return self._get(name, dev_default, str.strip, required)

    def list(
        self, name: builtins.str, dev_default: builtins.list[builtins.str], *, required: bool = True
    ) -> builtins.list[builtins.str]:
        return self._get(name, dev_default, parse_list, required)

    def duration(self, name: builtins.str, default: timedelta) -> timedelta:
        # Lifetimes have safe defaults in every environment.
        return self._get(name, default, parse_duration, required=False)

    def int(self, name: builtins.str, default: builtins.int) -> builtins.int:
        def parse(raw: builtins.str) -> builtins.int:
            try:
                return int(raw)
            except ValueError as exc:
                raise ImproperlyConfigured(f"not an integer: {raw!r}") from exc

        return self._get(name, default, parse, required=False)

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        def parse(raw: builtins.str) -> builtins.bool:
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ImproperlyConfigured(f"not a boolean: {raw!r}")

        return self._get(name, default, parse, required=False)

    def check(self) -> None:
        """Raise one error naming every required variable that production is missing and
        every value that could not be read."""
        problems = []
        if self.missing:
            names = ", ".join(self.missing)
            problems.append(f"DJANGO_ENV=production needs these environment variables: {names}")
        if self.invalid:
            problems.append("these values are not valid: " + "; ".join(self.invalid))
        if problems:
            raise ImproperlyConfigured(". ".join(problems))

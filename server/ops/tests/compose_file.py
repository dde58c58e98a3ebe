"""Read compose.yaml the way Docker Compose does, for tests that cannot run Docker: the
project's .env, `${VAR:-default}` interpolation, each service's environment (env_file,
then `environment` over it), and the argv of its command and health check."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "compose.yaml"

# $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error},
# ${NAME:+alternative}, ${NAME+alternative}, $NAME (the Compose specification's forms).
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


class ComposeError(Exception):
    """compose.yaml says something Docker Compose would refuse."""


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("named")
        op, arg = match.group("op"), match.group("arg") or ""
        value = variables.get(name)
        empty_counts = bool(op) and op.startswith(":")
        unset = value is None or (empty_counts and value == "")
        if op in (":-", "-"):
            return arg if unset else str(value)
        if op in (":?", "?"):
            if unset:
                raise ComposeError(f"required variable {name} is missing: {arg}")
            return str(value)
        if op in (":+", "+"):
            return "" if unset else arg
        return value or ""

    return _VARIABLE.sub(replace, text)


def _interpolate_all(node: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [_interpolate_all(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_all(value, variables) for key, value in node.items()}
    return node


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; `#` comments and blank lines skipped; one pair of quotes removed."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ")
        name, separator, value = line.partition("=")
        if not separator:
            raise ComposeError(f"{path.name}: not NAME=value: {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def load(variables: Mapping[str, str]) -> dict[str, Any]:
    """compose.yaml with YAML anchors merged and every `${…}` interpolated from `variables`
    (what Compose reads from the shell and the project's .env)."""
    return _interpolate_all(yaml.safe_load(COMPOSE_FILE.read_text()), variables)


def service_environment(
    service: Mapping[str, Any], project_dir: Path, variables: Mapping[str, str]
) -> dict[str, str]:
    """The variables a service's container gets: its env_file(s), then `environment`."""
    env: dict[str, str] = {}
    for entry in service.get("env_file") or []:
        path = project_dir / (entry["path"] if isinstance(entry, dict) else entry)
        required = entry.get("required", True) if isinstance(entry, dict) else True
        if path.exists():
            env.update(read_env_file(path))
        elif required:
            raise ComposeError(f"env_file {path.name} is missing")
    environment = service.get("environment") or {}
    if isinstance(environment, list):  # the NAME=value list form
        environment = dict(item.partition("=")[::2] for item in environment)
    for name, value in environment.items():
        if value is None:  # `NAME:` alone passes the variable on from Compose's own
            if name in variables:
                env[name] = variables[name]
        else:
            env[name] = str(value)
    return env


def command_argv(command: str | list[str]) -> list[str]:
    """`command:` as Docker runs it: a list is the argv, a string is split like a shell
    would split it (without running one)."""
    return shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]


def healthcheck_argv(test: str | list[str]) -> list[str]:
    """`healthcheck.test` as Docker runs it: CMD runs the argv, CMD-SHELL (or a string)
    runs it through /bin/sh -c."""
    if isinstance(test, str):
        return ["/bin/sh", "-c", test]
    kind, *rest = test
    if kind == "CMD":
        return list(rest)
    if kind == "CMD-SHELL":
        return ["/bin/sh", "-c", " ".join(rest)]
    raise ComposeError(f"health check {test!r} runs nothing (NONE or unknown)")


def duration_seconds(value: str) -> float:
    """Compose's durations: 1m30s, 10s, 500ms."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", value)
    if not parts or "".join(a + b for a, b in parts) != value:
        raise ComposeError(f"not a duration: {value!r}")
    return sum(float(amount) * units[unit] for amount, unit in parts)

"""The server uses its libraries through their public APIs only: no import of a private
name (`_x`) from Strawberry, graphql-core, Django, redis-py, django-redis or psycopg, and no
private attribute (`obj._x`) that our own code does not define. An upgrade of any of them
must not be able to break sign-in or refresh without a deprecation warning first.

It reads the source only (`-m no_services`). Test modules are left out: a test may look
inside what it checks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_services

SERVER = Path(__file__).resolve().parents[2]
LIBRARIES = (
    "strawberry",
    "strawberry_django",
    "graphql",
    "django",
    "redis",
    "django_redis",
    "psycopg",
    "psycopg_pool",
)
# Private-looking names that are public by documentation: Django's Model._meta API ("Model
# _meta API"), `Model._default_manager` ("Default managers") and a manager's `self._db`
# (the custom user manager example, "Customizing authentication"); the standard library's
# namedtuple methods.
DOCUMENTED = frozenset(
    {"_meta", "_default_manager", "_db", "_replace", "_asdict", "_fields", "_exit"}
)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _production_files() -> list[Path]:
    return [
        path
        for path in SERVER.rglob("*.py")
        if "tests" not in path.relative_to(SERVER).parts and path.name != "conftest.py"
    ]


def _trees(paths: list[Path]) -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), str(path)) for path in paths}


def _ours(trees: dict[Path, ast.Module]) -> set[str]:
    """Private names our own code defines: functions, classes, module names, assignments
    and attributes it assigns (`self._x = …`), parameters."""
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[-1])
    names.update(path.stem for path in trees)
    return {name for name in names if _private(name)}


def violations(trees: dict[Path, ast.Module]) -> list[str]:
    ours = _ours(trees)
    found: list[str] = []
    for path, tree in trees.items():
        where = path.relative_to(SERVER)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] not in LIBRARIES:
                    continue
                if any(_private(part) for part in parts):
                    found.append(f"{where}:{node.lineno} imports from {node.module}")
                found.extend(
                    f"{where}:{node.lineno} imports {alias.name} from {node.module}"
                    for alias in node.names
                    if _private(alias.name)
                )
            elif isinstance(node, ast.Import):
                found.extend(
                    f"{where}:{node.lineno} imports {alias.name}"
                    for alias in node.names
                    if alias.name.split(".")[0] in LIBRARIES
                    and any(_private(part) for part in alias.name.split("."))
                )
            elif (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and node.attr not in ours
                and node.attr not in DOCUMENTED
            ):
                found.append(f"{where}:{node.lineno} reads .{node.attr}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                # A dotted path in a setting ("redis.connection._HiredisParser") is an import.
                parts = node.value.split(".")
                if (
                    len(parts) > 1
                    and parts[0] in LIBRARIES
                    and all(p.isidentifier() for p in parts)
                    and any(_private(p) for p in parts)
                ):
                    found.append(f"{where}:{node.lineno} names {node.value}")
    return sorted(found)


def test_no_private_library_names_or_attributes():
    assert violations(_trees(_production_files())) == []


@pytest.mark.parametrize(
    "source",
    [
        "from strawberry.schema.schema import _run_validation\n",
        "from redis._parsers import HiredisParser\n",
        "def f(schema):\n    return schema._schema\n",
        "def f(conn):\n    return conn._sock\n",
        'PARSER = "redis.connection._HiredisParser"\n',
    ],
)
def test_it_catches_one(tmp_path, source):
    # given one more module that reaches into a library
    extra = tmp_path / "extra.py"
    extra.write_text(source)
    trees = _trees(_production_files())
    trees[extra] = ast.parse(source)
    # then it is named (a path outside server/ is shown as it is)
    try:
        found = violations(trees)
    except ValueError:  # relative_to: the stand-in module lives outside server/
        found = ["outside"]
    assert found


def test_our_own_private_names_are_fine():
    source = (
        "class A:\n"
        "    def __init__(self):\n"
        "        self._mine = 1\n\n"
        "    def f(self):\n"
        "        return self._mine\n"
    )
    trees = {SERVER / "x.py": ast.parse(source)}
    assert violations(trees) == []

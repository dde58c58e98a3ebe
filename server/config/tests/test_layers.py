"""The import graph points one way (docs/architecture.md, "Layers"), checked over grimp's
graph, with the modules that settings name as dotted strings (MIDDLEWARE, ROOT_URLCONF,
hashers, backends: Django imports them for config) and the literal `import_string` targets
added as imports: an edge hidden in a string is still an edge.

Test modules (`*.tests.*`, `conftest`) are left out: tests drive the whole stack from any
layer. Imports under `if TYPE_CHECKING:` are left out too: they never run. It reads the
source only: no PostgreSQL or Redis needed (`-m no_services`).
"""

from __future__ import annotations

import ast
import functools
import re
import sys
from pathlib import Path

import grimp
import pytest

pytestmark = pytest.mark.no_services

SERVER = Path(__file__).resolve().parents[2]

# Top to bottom. A package may import packages of the layers below its own, never above;
# packages that share a layer do not import each other.
LAYERS: list[set[str]] = [
    {"ops"},  # operator commands: seed_demo, write_schema, revoke_sessions, worker_health
    {"config"},  # settings, urls, the composition root (schema.py merges, views.py serves)
    {"social", "content"},
    {"mfa"},  # second factors, the two-step sign-in and step-up; social's Google sign-in uses it
    {"passkeys", "membership", "securitylog"},
    {"tokens"},
    {"accounts"},
    {"api"},  # the GraphQL toolkit: context, errors, mutation helper, permissions, limits
    {"observability"},
    {"core"},
]
PACKAGES = sorted(set().union(*LAYERS))

# Imports that run up a layer, kept on purpose: none.
KNOWN_UPWARD: set[tuple[str, str]] = set()


@functools.cache
def _imports() -> dict[str, set[str]]:
    sys.path.insert(0, str(SERVER))
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)

    def production(module: str) -> bool:
        parts = module.split(".")
        return "tests" not in parts and parts[-1] != "conftest"

    modules = {m for m in graph.modules if production(m)}
    imports = {m: set(graph.find_modules_directly_imported_by(m)) & modules for m in modules}
    for importer, named in _named_in_strings(modules):
        imports[importer].add(named)
    return imports


_DOTTED = re.compile(r"[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


def _named_in_strings(modules: set[str]) -> set[tuple[str, str]]:
    """(importer, module) for every string constant of a settings module, and every literal
    argument of `import_string`, that names one of our modules (or a name inside one)."""
    found: set[tuple[str, str]] = set()
    for path in SERVER.rglob("*.py"):
        module = ".".join(path.relative_to(SERVER).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        if module not in modules:
            continue
        in_settings = module.startswith("config.settings")
        for node in ast.walk(ast.parse(path.read_text())):
            strings: list[ast.AST] = []
            if in_settings and isinstance(node, ast.Constant):
                strings.append(node)
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_string"
            ):
                strings.extend(node.args[:1])
            for string in strings:
                value = getattr(string, "value", None)
                if not isinstance(value, str) or not _DOTTED.fullmatch(value):
                    continue
                parts = value.split(".")
                # The longest prefix that is one of our modules ("a.b.Class" names a.b).
                for end in range(len(parts), 0, -1):
                    target = ".".join(parts[:end])
                    if target in modules and target != module:
                        found.add((module, target))
                        break
    return found


def _layer(module: str) -> int:
    package = module.split(".")[0]
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def test_every_package_is_in_a_layer():
    on_disk = {p.parent.name for p in SERVER.glob("*/__init__.py")}
    assert on_disk == set(PACKAGES)


def test_no_import_runs_up_or_across_a_layer():
    wrong = {
        (importer, imported)
        for importer, targets in _imports().items()
        for imported in targets
        if importer.split(".")[0] != imported.split(".")[0] and _layer(importer) >= _layer(imported)
    }
    assert wrong == KNOWN_UPWARD


def test_no_import_cycles():
    imports = _imports()
    # Tarjan's strongly connected components, iteratively: any component of more than one
    # module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(sorted(imports[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    assert cycles == []


def test_services_selectors_and_models_never_import_graphql():
    # Inside a domain: schema/ → services, selectors → models, never back.
    wrong = [
        (importer, imported)
        for importer, targets in _imports().items()
        if ".schema" not in importer and importer.split(".")[0] != "config"
        for imported in targets
        if imported.split(".")[0] == importer.split(".")[0] and ".schema" in imported
    ]
    assert wrong == []

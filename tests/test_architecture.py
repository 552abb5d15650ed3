"""Rules of the codebase's shape, read from the source with `ast`."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import tenantree

SRC = Path(tenantree.__file__).parent

# The only modules that may commit a transaction: the unit of work itself.
COMMITS_ALLOWED_IN = {"db/unit_of_work.py"}

ADAPTERS = {"api", "console", "scim", "cli"}
# Packages of tenantree that must not import one another: importer -> imported.
# `server` assembles the app above the web adapters; `cli` only names its ASGI
# module to serve it.
FORBIDDEN_IMPORTS: dict[str, set[str]] = {
    "api": {"console", "scim", "cli", "server"},
    "console": {"api", "scim", "cli", "server"},
    "scim": {"api", "console", "cli", "server"},
    "cli": {"api", "console", "scim"},
    "web": ADAPTERS | {"server"},
}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def commit_calls(tree: ast.Module) -> list[int]:
    """Lines calling `<anything>.commit()`."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


class TenantreeImport(NamedTuple):
    line: int
    package: str  # first level below tenantree: "orgs", "errors", ...
    module: str  # the dotted name imported


def tenantree_imports(tree: ast.Module, module_path: str) -> list[TenantreeImport]:
    """Every import of a tenantree package in a module, anywhere in it, relative ones resolved."""
    package_parts = ["tenantree", *module_path.split("/")[:-1]]
    found: list[TenantreeImport] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                names = [".".join([*base, *(node.module or "").split(".")]).rstrip(".")]
            elif node.module:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "tenantree" and len(parts) > 1:
                found.append(TenantreeImport(node.lineno, parts[1].removesuffix(".py"), name))
    return found


def tenantree_packages_imported(tree: ast.Module, module_path: str) -> set[str]:
    """The tenantree packages (first level below tenantree) a module imports, anywhere in it."""
    return {found.package for found in tenantree_imports(tree, module_path)}


def package_of(module_path: str) -> str:
    """`orgs/models.py` -> "orgs"; a top-level module is its own: `errors.py` -> "errors"."""
    return module_path.split("/")[0].removesuffix(".py")


# Package -> package -> where ("lifecycle/service.py:12 tenantree.identity.invitations").
ImportGraph = Mapping[str, Mapping[str, list[str]]]


def import_graph(modules: Iterator[tuple[str, ast.Module]]) -> dict[str, dict[str, list[str]]]:
    graph: dict[str, dict[str, list[str]]] = {}
    for path, tree in modules:
        if path == "__init__.py":  # tenantree itself: its version, nothing else
            continue
        importer = package_of(path)
        edges = graph.setdefault(importer, {})
        for found in tenantree_imports(tree, path):
            if found.package != importer:
                edges.setdefault(found.package, []).append(f"{path}:{found.line} {found.module}")
    return graph


def package_cycles(graph: ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(package: str) -> None:
        index[package] = low[package] = len(index)
        stack.append(package)
        on_stack.add(package)
        for imported in graph.get(package, {}):
            if imported not in index:
                visit(imported)
                low[package] = min(low[package], low[imported])
            elif imported in on_stack:
                low[package] = min(low[package], index[imported])
        if low[package] == index[package]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == package:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for package in sorted(graph):
        if package not in index:
            visit(package)
    return sorted(components)


def cycle_report(graph: ImportGraph, component: list[str]) -> list[str]:
    """The imports that hold a cycle together: every edge inside the component."""
    members = set(component)
    return [
        f"{importer} -> {imported}: {where}"
        for importer in component
        for imported, places in sorted(graph.get(importer, {}).items())
        if imported in members
        for where in places
    ]


# The layers, lowest first: a package imports only packages of its own layer
# or below (and with no cycle, checked apart). CONTRIBUTING.md explains them.
LAYERS: list[set[str]] = [
    {"errors", "clock", "config", "pagination", "netguard", "db"},  # kernel
    {"audit", "outbox"},
    {"orgs"},
    {"branding", "crm"},
    {"domains"},
    {"identity"},
    {"access"},
    {"sso", "licensing", "webhooks"},
    # authentication; creating and listing orgs; license alerts and forecasts
    {"authn", "lifecycle", "alerts"},
    {"models", "treeplan"},  # the model registry, for Alembic; the tree as a file
    {"web"},
    # `scim` holds its routes beside its resource logic, so it is an adapter
    # as a whole: no domain package imports it.
    {"api", "console", "scim"},
    {"server", "migrations"},
    {"cli"},  # serves the assembled app, and runs local commands beside it
]
LAYER_OF = {package: level for level, layer in enumerate(LAYERS) for package in layer}
# Everything below the model registry is domain code; it and above are adapters.
DOMAIN = set().union(*LAYERS[: LAYER_OF["models"]])
ADAPTER_PACKAGES = set().union(*LAYERS[LAYER_OF["models"] :])


def test_commit_only_in_the_unit_of_work() -> None:
    offenders = [
        f"{path}:{line}"
        for path, tree in _modules()
        if path not in COMMITS_ALLOWED_IN
        for line in commit_calls(tree)
    ]
    assert offenders == [], (
        "services flush and adapters leave committing to the unit of work "
        "(db.unit_of_work); records that must outlast a failure go through keep()"
    )


def test_the_commit_guard_sees_a_commit_wherever_it_is() -> None:
    tree = ast.parse("def f(uow):\n    if uow:\n        uow.session.commit()\n")
    assert commit_calls(tree) == [3]


def test_adapters_do_not_import_each_other_and_web_imports_none() -> None:
    offenders = sorted(
        f"{path} imports tenantree.{imported}"
        for path, tree in _modules()
        for imported in tenantree_packages_imported(tree, path)
        if imported in FORBIDDEN_IMPORTS.get(path.split("/")[0], set())
    )
    assert offenders == []


def test_the_import_guard_resolves_relative_and_nested_imports() -> None:
    tree = ast.parse("from ...console import render\ndef f():\n    import tenantree.scim.routes\n")
    assert tenantree_packages_imported(tree, "api/routes/x.py") == {"console", "scim"}


def test_no_import_cycle_between_packages() -> None:
    graph = import_graph(_modules())
    problems = [
        f"cycle {' <-> '.join(component)}:\n  " + "\n  ".join(cycle_report(graph, component))
        for component in package_cycles(graph)
    ]
    assert problems == [], "\n".join(problems)


def test_the_cycle_guard_finds_a_cycle_through_three_packages_and_names_its_lines() -> None:
    modules = [
        ("a/x.py", ast.parse("from tenantree.b import y\n")),
        ("b/y.py", ast.parse("import os\nfrom tenantree.c.z import f\n")),
        ("c/z.py", ast.parse("def f():\n    from ..a import x\n")),
        ("d.py", ast.parse("from tenantree.a import x\n")),
    ]
    graph = import_graph(iter(modules))
    assert package_cycles(graph) == [["a", "b", "c"]]
    assert "b -> c: b/y.py:2 tenantree.c.z" in cycle_report(graph, ["a", "b", "c"])
    assert "c -> a: c/z.py:2 tenantree.a" in cycle_report(graph, ["a", "b", "c"])


def test_every_package_has_a_layer() -> None:
    unplaced = sorted(set(import_graph(_modules())) - set(LAYER_OF))
    assert unplaced == [], "add the new package to LAYERS (and CONTRIBUTING.md)"


def test_packages_import_only_their_layer_or_below() -> None:
    graph = import_graph(_modules())
    offenders = [
        f"{importer} (layer {LAYER_OF[importer]}) imports {imported} "
        f"(layer {LAYER_OF[imported]}): {where}"
        for importer, edges in sorted(graph.items())
        if importer in LAYER_OF
        for imported, places in sorted(edges.items())
        if imported in LAYER_OF and LAYER_OF[imported] > LAYER_OF[importer]
        for where in places
    ]
    assert offenders == [], "\n".join(offenders)


def test_domain_packages_never_import_adapters() -> None:
    offenders = sorted(
        f"{path}:{found.line} imports {found.module}"
        for path, tree in _modules()
        if package_of(path) in DOMAIN
        for found in tenantree_imports(tree, path)
        if found.package in ADAPTER_PACKAGES
    )
    assert offenders == []


# Imported in a fresh interpreter where importing these raises ImportError, so
# a module that claims "no database here" proves it.
_BLOCKED = ("sqlalchemy", "fastapi", "starlette")
_IMPORT_WITHOUT = textwrap.dedent(
    """
    import importlib, sys

    class Blocked:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in {blocked!r}:
                raise ImportError(f"{{name}} is blocked: this module must stay plain")
            return None

    sys.meta_path.insert(0, Blocked())
    importlib.import_module({module!r})
    """
)


def import_without_database(module: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", _IMPORT_WITHOUT.format(blocked=_BLOCKED, module=module)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_policy_and_the_pool_rules_import_without_sqlalchemy_or_fastapi() -> None:
    for module in ("tenantree.access.policy", "tenantree.licensing.pool"):
        result = import_without_database(module)
        assert result.returncode == 0, f"{module}:\n{result.stderr}"


def test_the_plain_import_guard_refuses_a_model_module() -> None:
    # What the policy would pull in if it took Role from identity.models again.
    result = import_without_database("tenantree.identity.models")
    assert result.returncode != 0
    assert "sqlalchemy is blocked" in result.stderr

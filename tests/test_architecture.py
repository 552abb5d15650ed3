"""Rules of the codebase's shape, read from the source with `ast`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

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


def tenantree_packages_imported(tree: ast.Module, module_path: str) -> set[str]:
    """The tenantree packages (first level below tenantree) a module imports, anywhere in it."""
    package_parts = ["tenantree", *module_path.split("/")[:-1]]
    found: set[str] = set()
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
                found.add(parts[1].removesuffix(".py"))
    return found


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

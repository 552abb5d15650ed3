"""`tenantree plan|apply|export`: the org tree as a file (treeplan).

Local mode: straight on the database, as the platform operator, one
transaction per org. Remote mode (`--api-url` and a token): through the public
API, as the token's account, whose role decides (a partner admin plans,
applies and exports its own partner and sub-orgs). `plan` reads and prints;
`apply` makes the changes and stops at the first refusal naming what was
already applied; `export` writes the tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tenantree.cli.connection import (
    EXIT_REFUSED,
    ApiUrlOpt,
    refused,
    remote_client,
    token_for,
    usage_error,
)
from tenantree.cli.options import AsOperator

if TYPE_CHECKING:
    from tenantree.treeplan.apply import ApplyRefused, TreeStore
    from tenantree.treeplan.diff import TreeDiff

TreeFile = Annotated[
    Path, typer.Argument(metavar="TREE_FILE", help="The tree file (YAML; see docs/schemas).")
]
Prune = Annotated[
    bool,
    typer.Option(
        "--prune",
        help="Deactivate the orgs the file no longer names and end its dropped licenses "
        "(nothing is deleted).",
    ),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="List unchanged orgs too.")]


def _read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        usage_error(f"cannot read {path}: {exc.strerror}")


def _diff(path: Path, store: TreeStore) -> TreeDiff:
    from tenantree.errors import DomainError
    from tenantree.treeplan.diff import diff_trees
    from tenantree.treeplan.document import parse_tree

    try:
        desired = parse_tree(_read_file(path))
    except DomainError as exc:
        usage_error(f"{path}: {exc.message}")
    return diff_trees(desired, store.read_tree())


@contextmanager
def tree_store(api_url: str | None, as_operator: str | None = None) -> Iterator[TreeStore]:
    """The tree of this invocation: the API's (remote) or the database's (local).
    A refusal while reading ends the command with exit 1."""
    from tenantree.cli.backend import Refused

    if api_url and as_operator:
        usage_error("--as-operator is for local mode; remotely the token's account is the actor")
    try:
        if api_url:
            from tenantree.cli.remote_backend import RemoteBackend
            from tenantree.cli.tree_store import BackendTree

            with remote_client(api_url, token_for(api_url)) as client:
                yield BackendTree(RemoteBackend(client))
        else:
            from tenantree.cli.tree_local import database_tree

            with database_tree(as_operator) as store:
                yield store
    except Refused as exc:
        refused(exc)


def plan(
    tree_file: TreeFile, prune: Prune = False, verbose: Verbose = False, api_url: ApiUrlOpt = None
) -> None:
    """Show what `apply` would change, touching nothing."""
    from tenantree.treeplan.report import plan_lines

    with tree_store(api_url) as store:
        diff = _diff(tree_file, store)
    for line in plan_lines(diff, prune=prune, verbose=verbose):
        typer.echo(line)


def _refused(refusal: ApplyRefused, remote: bool) -> None:
    done = ", ".join(o.salesforce_id for o in refusal.applied) or "nothing"
    typer.echo(f"error: refused ({refusal.error.code}): {refusal}", err=True)
    typer.echo(f"applied before the refusal ({len(refusal.applied)} orgs): {done}", err=True)
    if remote and refusal.made:
        made = "; ".join(c.describe() for c in refusal.made)
        typer.echo(f"of {refusal.org.salesforce_id}, made before the refusal: {made}", err=True)
    unchanged = "the rest of it" if remote and refusal.made else refusal.org.salesforce_id
    typer.echo(f"{unchanged} and the orgs after it were not changed", err=True)


def apply(
    tree_file: TreeFile,
    prune: Prune = False,
    verbose: Verbose = False,
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Make the file's changes (locally one transaction per org); stop at the first refusal."""
    from tenantree.treeplan.apply import ApplyRefused, apply_diff
    from tenantree.treeplan.report import plan_lines

    with tree_store(api_url, as_operator) as store:
        diff = _diff(tree_file, store)
        for line in plan_lines(diff, prune=prune, verbose=verbose):
            typer.echo(line)
        try:
            result = apply_diff(store, diff, prune=prune)
        except ApplyRefused as refusal:
            _refused(refusal, remote=bool(api_url))
            raise typer.Exit(code=EXIT_REFUSED) from refusal
    typer.echo(f"Applied: {len(result.applied)} orgs changed.")
    if result.left:
        typer.echo(f"Not made: {len(result.left)} deletions (see the plan above).")


def export(
    tree_file: Annotated[
        Path, typer.Argument(metavar="TREE_FILE", help="Where to write the tree ('-': stdout).")
    ],
    api_url: ApiUrlOpt = None,
) -> None:
    """Write the current tree in the file's format (export, then plan: no changes)."""
    from tenantree.treeplan.document import dump_tree

    with tree_store(api_url) as store:
        text = dump_tree(store.read_tree())
    if str(tree_file) == "-":
        typer.echo(text, nl=False)
        return
    tree_file.write_text(text, encoding="utf-8")
    typer.echo(f"tree written to {tree_file}")


def register(app: typer.Typer) -> None:
    for command in (plan, apply, export):
        app.command(command.__name__)(command)

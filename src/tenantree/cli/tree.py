"""`tenantree plan|apply|export`: the org tree as a file (treeplan).

Local mode: straight on the database, as the platform operator. `plan` reads
and prints; `apply` makes the changes, one transaction per org, and stops at
the first refusal naming what was already applied; `export` writes the tree.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from tenantree.audit.service import AuditTrail
from tenantree.cli.context import CLI_REQUEST_ID, _operator_id, fail
from tenantree.cli.licensing import AsOperator
from tenantree.config import get_settings
from tenantree.db import make_engine, make_sessionmaker
from tenantree.errors import DomainError
from tenantree.treeplan.apply import ApplyConfig, ApplyRefused, apply_diff
from tenantree.treeplan.current import read_tree
from tenantree.treeplan.diff import TreeDiff, diff_trees
from tenantree.treeplan.document import dump_tree, parse_tree
from tenantree.treeplan.report import plan_lines

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
        typer.echo(f"error: cannot read {path}: {exc.strerror}", err=True)
        raise typer.Exit(code=2) from exc


def _diff(path: Path, session: Session) -> TreeDiff:
    try:
        desired = parse_tree(_read_file(path))
    except DomainError as exc:
        typer.echo(f"error: {path}: {exc.message}", err=True)
        raise typer.Exit(code=2) from exc
    return diff_trees(desired, read_tree(session))


def _replan(sessions: sessionmaker[Session], diff: TreeDiff) -> TreeDiff:
    with sessions() as session:
        return diff_trees(diff.desired, read_tree(session))


def _operator(sessions: sessionmaker[Session], email: str | None) -> uuid.UUID | None:
    """The operator named by --as-operator, checked before anything is applied."""
    if email is None:
        return None
    with sessions() as session:
        try:
            return _operator_id(session, email)
        except DomainError as exc:
            fail(exc.message)


def plan(tree_file: TreeFile, prune: Prune = False, verbose: Verbose = False) -> None:
    """Show what `apply` would change, touching nothing."""
    engine = make_engine(get_settings().database_url)
    try:
        with make_sessionmaker(engine)() as session:
            diff = _diff(tree_file, session)
    finally:
        engine.dispose()
    for line in plan_lines(diff, prune=prune, verbose=verbose):
        typer.echo(line)


def apply(
    tree_file: TreeFile,
    prune: Prune = False,
    verbose: Verbose = False,
    as_operator: AsOperator = None,
) -> None:
    """Make the file's changes, one transaction per org; stop at the first refusal."""
    from tenantree.branding.config import BrandingConfig
    from tenantree.identity.context import IdentityConfig
    from tenantree.server.mail import make_outbox

    settings = get_settings()
    config = ApplyConfig(
        IdentityConfig.from_settings(settings, make_outbox(settings)),
        BrandingConfig.from_settings(settings),
    )
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)

    try:
        operator_id = _operator(sessions, as_operator)

        def trail_for(session: Session) -> AuditTrail:
            trail = AuditTrail(session, None, request_id=CLI_REQUEST_ID)
            return trail if operator_id is None else trail.as_actor(operator_id, None)

        with sessions() as session:
            diff = _diff(tree_file, session)
        for line in plan_lines(diff, prune=prune, verbose=verbose):
            typer.echo(line)
        try:
            result = apply_diff(
                sessions,
                trail_for,
                config,
                diff,
                prune=prune,
                replan=lambda: _replan(sessions, diff),
            )
        except ApplyRefused as refused:
            done = ", ".join(o.salesforce_id for o in refused.applied) or "nothing"
            typer.echo(f"error: refused ({refused.error.code}): {refused}", err=True)
            typer.echo(
                f"applied before the refusal ({len(refused.applied)} orgs): {done}; "
                f"{refused.org.salesforce_id} and the orgs after it were not changed",
                err=True,
            )
            raise typer.Exit(code=1) from refused
    finally:
        engine.dispose()
    typer.echo(f"Applied: {len(result.applied)} orgs changed.")
    if result.left:
        typer.echo(f"Not made: {len(result.left)} deletions (see the plan above).")


def export(
    tree_file: Annotated[
        Path, typer.Argument(metavar="TREE_FILE", help="Where to write the tree ('-': stdout).")
    ],
) -> None:
    """Write the current tree in the file's format (export, then plan: no changes)."""
    engine = make_engine(get_settings().database_url)
    try:
        with make_sessionmaker(engine)() as session:
            text = dump_tree(read_tree(session))
    finally:
        engine.dispose()
    if str(tree_file) == "-":
        typer.echo(text, nl=False)
        return
    tree_file.write_text(text, encoding="utf-8")
    typer.echo(f"tree written to {tree_file}")


def register(app: typer.Typer) -> None:
    for command in (plan, apply, export):
        app.command(command.__name__)(command)

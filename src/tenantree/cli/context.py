"""One unit of work per CLI command: a session, an audit trail, one commit.

The CLI runs on the server with database access and acts as the platform
operator. Its audit events carry request_id "cli" and, unless a command names
an operator (``--as-operator``), no actor: the system did it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

import typer
from sqlalchemy.orm import Session

from tenantree.audit.service import AuditTrail
from tenantree.config import Settings, get_settings
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.errors import DomainError, NotFound

CLI_REQUEST_ID = "cli"


@dataclass(frozen=True)
class CliWork:
    session: Session
    trail: AuditTrail
    settings: Settings


def fail(message: str) -> NoReturn:
    """Print `error: MESSAGE` to stderr and exit with status 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


@contextmanager
def unit_of_work(*, as_operator: str | None = None) -> Iterator[CliWork]:
    """Open a session and the CLI's audit trail; commit once if the block succeeds
    (db.unit_of_work, as a web request does).

    A DomainError raised in the block is a refusal, as the API's: everything
    is rolled back (but what services kept) and the command ends with
    `error: CODE: message (field: F)` and exit status 1. An unknown
    --as-operator is a usage error (exit status 2), found before any work.
    """
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                trail = AuditTrail(session, None, request_id=CLI_REQUEST_ID)
                if as_operator is not None:
                    trail = trail.as_actor(_named_operator(session, as_operator), None)
                with UnitOfWork(session):
                    yield CliWork(session, trail, settings)
            except DomainError as exc:
                refused(exc)
    finally:
        engine.dispose()


def refused(exc: DomainError) -> NoReturn:
    """A rule refused the command: the API's code and message, exit status 1."""
    field = f" (field: {exc.field})" if exc.field else ""
    typer.echo(f"error: {exc.code}: {exc.message}{field}", err=True)
    raise typer.Exit(code=1)


def _named_operator(session: Session, email: str) -> uuid.UUID:
    try:
        return _operator_id(session, email)
    except DomainError as exc:
        fail(exc.message)


def _operator_id(session: Session, email: str) -> uuid.UUID:
    from tenantree.identity.accounts import find_account, normalize_email

    account = find_account(session, email)
    if account is None or not account.is_operator:
        raise NotFound(
            f"no platform operator has the email {normalize_email(email)!r}",
            code="operator_not_found",
            field="as_operator",
        )
    return account.id

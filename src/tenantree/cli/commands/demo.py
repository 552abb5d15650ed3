"""`tenantree demo`: load a demo tree into an empty database (cli/demo.py builds it;
imported only when the command runs, so the CLI starts fast)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def demo(
    reset: Annotated[
        bool, typer.Option(help="On SQLite: delete the database file first and start afresh")
    ] = False,
    if_empty: Annotated[
        bool,
        typer.Option(
            "--if-empty", help="Load only into an empty database; otherwise do nothing (exit 0)"
        ),
    ] = False,
) -> None:
    """Load a demo (an MSP, a reseller, a distributor over a tier-2 reseller and MSP, their
    customers, users, licenses, usage) and print
    the sign-in details of each persona."""
    from sqlalchemy.engine import make_url

    from tenantree.cli import demo as loader
    from tenantree.config import get_settings
    from tenantree.db import make_engine, make_sessionmaker
    from tenantree.db import migrate as migrations
    from tenantree.errors import DomainError

    settings = get_settings()
    url = make_url(settings.database_url)
    if reset:
        if url.get_backend_name() != "sqlite" or not url.database:
            typer.echo("error: --reset works only on a SQLite database file", err=True)
            raise typer.Exit(code=2)
        Path(url.database).unlink(missing_ok=True)
    migrations.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            if loader.has_orgs(session) and if_empty:
                typer.echo(
                    f"the database already has orgs; the demo is not loaded again "
                    f"(demo personas sign in with {loader.DEMO_PASSWORD})"
                )
                typer.echo(loader.OPERATOR_MFA)
                return
            if loader.has_orgs(session):
                typer.echo(
                    "error: this database already has orgs; the demo loads only into an empty "
                    "one (on SQLite, --reset starts afresh)",
                    err=True,
                )
                raise typer.Exit(code=2)
    finally:
        engine.dispose()
    typer.echo("loading the demo (a few seconds)...")
    try:
        personas = loader.load_demo(settings)
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"\nDemo loaded. Every persona's password: {loader.DEMO_PASSWORD}\n")
    width = max(len(p.who) for p in personas)
    for p in personas:
        typer.echo(f"  {p.who:<{width}}  {p.email:<36}  {p.org}")
    typer.echo("\n" + loader.OPERATOR_MFA)
    typer.echo(
        "\nServe it with `tenantree serve` and sign in at "
        f"{settings.public_base_url.rstrip('/')}/sign-in"
    )

"""The `tenantree` command: serve the API, migrate the database, create operators."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from tenantree.cli import crm, licensing, outbox, tree, webhooks
from tenantree.cli.commands import (
    access,
    alerts,
    audit,
    auth,
    branding,
    demo,
    domains,
    integrations,
    licenses,
    me,
    orgs,
    tokens,
    users,
)
from tenantree.cli.commands import licensing as license_terms
from tenantree.cli.explain import explain

if TYPE_CHECKING:
    from tenantree.config import Settings

# Start-up stays light: a module that loads SQLAlchemy, the services or the
# web app is imported inside the command that needs it, so `tenantree --help`
# and remote commands do not pay for it (tests/cli/test_startup.py).

app = typer.Typer(
    help="tenantree: the org hierarchy of a platform sold through MSPs and resellers.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema: migrate and check.", no_args_is_help=True)
operator_app = typer.Typer(help="Platform operator accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(operator_app, name="operator")
app.add_typer(licenses.licenses_app, name="licenses")
app.add_typer(outbox.outbox_app, name="outbox")
app.add_typer(alerts.alerts_app, name="alerts")
app.add_typer(crm.crm_app, name="crm")
app.add_typer(orgs.orgs_app, name="orgs")
app.add_typer(webhooks.webhooks_app, name="webhooks")
app.add_typer(orgs.sub_orgs_app, name="sub-orgs")
app.add_typer(users.users_app, name="users")
app.add_typer(users.invitations_app, name="invitations")
app.add_typer(tokens.api_tokens_app, name="api-tokens")
app.add_typer(tokens.scim_tokens_app, name="scim-tokens")
app.add_typer(domains.domains_app, name="domains")
app.add_typer(integrations.sso_app, name="sso")
app.add_typer(integrations.smtp_relay_app, name="smtp-relay")
app.add_typer(audit.audit_app, name="audit")
app.add_typer(access.access_app, name="access")
app.add_typer(access.mfa_policy_app, name="mfa-policy")
app.add_typer(license_terms.license_source_app, name="license-source")
app.add_typer(license_terms.quotas_app, name="quotas")
app.add_typer(license_terms.usage_app, name="usage")
app.add_typer(branding.branding_app, name="branding")
app.add_typer(me.me_app, name="me")
app.command("login")(auth.login)
app.command("logout")(auth.logout)
app.command("whoami")(auth.whoami)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Server processes sharing the port (restarted if they die)")
    ] = 1,
    migrate: Annotated[bool, typer.Option(help="Apply pending migrations before serving")] = False,
) -> None:
    """Run the API server (TENANTREE_DATABASE_URL picks the database).

    --migrate applies pending migrations first (under the migration lock, so
    every replica may pass it).
    """
    from tenantree.config import get_settings
    from tenantree.db import migrate as migrations

    settings = get_settings()
    refusal = startup_refusal(settings)
    if refusal:
        typer.echo(f"error: {refusal}", err=True)
        raise typer.Exit(code=2)
    if workers < 1:
        typer.echo("error: --workers must be at least 1", err=True)
        raise typer.Exit(code=2)
    if migrate:
        migrations.upgrade(settings.database_url)
    from tenantree.server.logs import logging_config

    # X-Forwarded-Proto/-For are believed only from the proxies named in
    # TENANTREE_FORWARDED_ALLOW_IPS: then a request that reached the proxy over
    # TLS has scheme https here, and the console's cookie is Secure.
    trusted = settings.forwarded_allow_ips
    options = {
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
        # One line per request comes from the app (server.telemetry), with
        # the route template, actor and org; uvicorn's own would repeat it.
        "access_log": False,
        "log_config": logging_config(settings.log_format),
        # FastAPI's standard install serves on these (uvicorn[standard]): C
        # parsing and libuv's loop took the bare endpoint from ~870 to ~1,350
        # req/s and GET org from ~230 to ~310 here (bench/ANALYSIS.md, round 8).
        "loop": "uvloop",
        "http": "httptools",
    }
    if workers > 1:
        # Not uvicorn's --workers: it loses TCP_NODELAY (see server.processes).
        import logging.config

        from tenantree.server.processes import serve_processes

        logging.config.dictConfig(options["log_config"])
        raise typer.Exit(code=serve_processes(host, port, workers, options))
    import uvicorn

    uvicorn.run("tenantree.server.asgi:app", host=host, port=port, **options)


def startup_refusal(settings: Settings) -> str | None:
    """Why the server must not start with these settings, if it must not."""
    if settings.uses_postgresql and not settings.secret_key:
        # Each host would make a key of its own: tokens issued by one would be
        # refused by the others, and relay passwords unreadable.
        return (
            "TENANTREE_SECRET_KEY is not set; with a PostgreSQL database every server "
            "sharing it must use the same key (set TENANTREE_SECRET_KEY on each)"
        )
    return None


def _alembic(command: Callable[..., None], *args: str) -> None:
    """Run a migration command; Alembic's refusals end it with a message, not a traceback."""
    from alembic.util import CommandError

    from tenantree.config import get_settings

    try:
        command(get_settings().database_url, *args)
    except CommandError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from tenantree.db import migrate as migrations

    _alembic(migrations.upgrade, revision)
    typer.echo("database is up to date")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument()],
    yes_drop_data: Annotated[
        bool, typer.Option("--yes-drop-data", help="Confirm dropping the reverted tables' data")
    ] = False,
) -> None:
    """Revert migrations down to REVISION (drops what they added, data included)."""
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    from tenantree.config import get_settings
    from tenantree.db import migrate as migrations

    try:
        reverted = migrations.revisions_reverted_by(get_settings().database_url, revision)
    except (CommandError, RevisionError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    if reverted and not yes_drop_data:
        typer.echo(
            f"error: downgrading to {revision} reverts {', '.join(reverted)} and drops the "
            "tables and columns they added, with their data; run again with "
            "--yes-drop-data to do it",
            err=True,
        )
        raise typer.Exit(code=2)
    _alembic(migrations.downgrade, revision)


@db_app.command("check")
def db_check() -> None:
    """Fail if the models have drifted from the migrations."""
    from tenantree.db import migrate as migrations

    _alembic(migrations.check)
    typer.echo("models and migrations agree")


@operator_app.command("create")
def operator_create(
    email: Annotated[str, typer.Option(help="The operator's email address")],
) -> None:
    """Create a platform operator.

    The password comes from a prompt or TENANTREE_OPERATOR_PASSWORD, never from argv.
    """
    from tenantree.cli.context import unit_of_work
    from tenantree.identity.accounts import create_operator
    from tenantree.identity.context import IdentityConfig
    from tenantree.server.mail import make_outbox

    password = os.environ.get("TENANTREE_OPERATOR_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    with unit_of_work() as work:
        settings = work.settings
        config = IdentityConfig.from_settings(settings, make_outbox(settings))
        account = create_operator(work.session, work.trail, config, email=email, password=password)
    typer.echo(f"operator {account.email} created")


app.command("report")(licensing.report)
app.command("demo")(demo.demo)
app.command("explain")(explain)
app.command("access-check", help="The same as `explain`: the API's access check.")(explain)
tree.register(app)  # plan, apply, export: the tree as a file

if __name__ == "__main__":
    app()

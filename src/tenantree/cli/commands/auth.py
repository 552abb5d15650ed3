"""`tenantree login|logout|whoami`: the token remote commands use.

`login` signs in with email and password (and a TOTP code when the account has
a second factor), or takes an API token (`--token`), checks it against the API
and keeps it in the user's config dir (mode 0600). `logout` signs the token out
server-side (a sign-in token is revoked; an API token stays, for its org's
admins to revoke) and forgets it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from tenantree.cli.backend import Refused
from tenantree.cli.connection import refused, remote_client, token_for, usage_error
from tenantree.cli.credentials import forget_token, store_token
from tenantree.cli.output import OutputOpt, emit

if TYPE_CHECKING:
    from tenantree.cli.remote_backend import RemoteBackend

RequiredApiUrl = Annotated[
    str, typer.Option("--api-url", envvar="TENANTREE_API_URL", help="The tenantree API")
]


def _sign_in(api: RemoteBackend, email: str, password: str, code: str | None) -> str:
    answer = api.request("POST", "/auth/login", json={"email": email, "password": password})
    if answer.get("status") == "mfa_required":
        code = code or typer.prompt("Second-factor code (TOTP or recovery code)")
        field = "code" if code.isdigit() else "recovery_code"
        answer = api.request(
            "POST", "/auth/login/mfa", json={"challenge": answer["challenge"], field: code}
        )
    if answer.get("status") == "mfa_enrolment_required":
        usage_error("this account must enrol a second factor first: sign in to the console")
    return str(answer["access_token"])


def login(
    api_url: RequiredApiUrl,
    email: Annotated[str | None, typer.Option(help="Sign in with this account")] = None,
    token: Annotated[
        str | None, typer.Option(help="Keep this API token instead of signing in")
    ] = None,
    code: Annotated[str | None, typer.Option(help="Second-factor code, if asked")] = None,
) -> None:
    """Sign in to a tenantree API and keep the token for remote commands.

    The password comes from a prompt or TENANTREE_PASSWORD, never from argv.
    """
    from tenantree.cli.remote_backend import RemoteBackend

    if (email is None) == (token is None):
        usage_error("give --email (to sign in) or --token (an API token), one of them")
    try:
        if token is None:
            password = os.environ.get("TENANTREE_PASSWORD") or typer.prompt(
                "Password", hide_input=True
            )
            with remote_client(api_url, None) as client:
                token = _sign_in(RemoteBackend(client), email or "", password, code)
        with remote_client(api_url, token) as client:
            me = RemoteBackend(client).request("GET", "/me")
    except Refused as exc:
        refused(exc)
    path = store_token(api_url, token)
    typer.echo(f"signed in to {api_url} as {me['email']} (token kept in {path})")


def logout(api_url: RequiredApiUrl) -> None:
    """Sign out server-side and forget the kept token."""
    from tenantree.cli.remote_backend import RemoteBackend

    token = token_for(api_url)
    try:
        with remote_client(api_url, token) as client:
            RemoteBackend(client).sign_out()
    except Refused as exc:
        if exc.status != 401:  # already expired or revoked: forgetting it is all that is left
            refused(exc)
    forgotten = forget_token(api_url)
    typer.echo(f"signed out of {api_url}" + ("" if forgotten else " (no kept token)"))


def whoami(api_url: RequiredApiUrl, output: OutputOpt = None) -> None:
    """Who the kept token (or TENANTREE_TOKEN) acts as, and its memberships."""
    from tenantree.cli.remote_backend import RemoteBackend

    try:
        with remote_client(api_url, token_for(api_url)) as client:
            me = RemoteBackend(client).request("GET", "/me")
    except Refused as exc:
        refused(exc)
    emit(me, ["id", "email", "display_name", "is_operator"], output)

"""`tenantree me mfa …`: the signed-in person's own second factors (GET/POST
/api/v1/me/mfa…). Remote only: they belong to the token's account, and the
local mode acts as the platform, not as a person. Passkeys need a browser:
they are registered in the console (`show` lists them)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tenantree.cli.connection import refused, remote_client, token_for
from tenantree.cli.output import OutputOpt, emit

me_app = typer.Typer(help="Your own account (remote: the token's).", no_args_is_help=True)
mfa_app = typer.Typer(
    help="Your second factors: TOTP and recovery codes (passkeys: in the console).",
    no_args_is_help=True,
)
me_app.add_typer(mfa_app, name="mfa")

ApiUrl = Annotated[
    str, typer.Option("--api-url", envvar="TENANTREE_API_URL", help="The tenantree API")
]


def _call(api_url: str, method: str, path: str, **kwargs: Any) -> Any:
    from tenantree.cli.backend import Refused
    from tenantree.cli.remote_backend import RemoteBackend

    try:
        with remote_client(api_url, token_for(api_url)) as client:
            return RemoteBackend(client).request(method, path, **kwargs)
    except Refused as exc:
        refused(exc)


@mfa_app.command("show")
def show(api_url: ApiUrl, output: OutputOpt = None) -> None:
    """Your second factors, recovery codes left, and whether MFA is required of you."""
    factors = _call(api_url, "GET", "/me/mfa")
    emit(factors, ["totp", "passkeys", "recovery_codes_left", "mfa_required"], output)


@mfa_app.command("totp-start")
def totp_start(api_url: ApiUrl, output: OutputOpt = None) -> None:
    """A new authenticator secret (and its otpauth:// URI); confirm with `totp-confirm`."""
    emit(_call(api_url, "POST", "/me/mfa/totp"), ["secret", "provisioning_uri"], output)


@mfa_app.command("totp-confirm")
def totp_confirm(
    code: Annotated[str, typer.Argument(help="The authenticator's current code")],
    api_url: ApiUrl,
    output: OutputOpt = None,
) -> None:
    """Confirm the enrolment with a first code; prints the recovery codes (shown once)."""
    codes = _call(api_url, "POST", "/me/mfa/totp/confirm", json={"code": code})
    emit(codes, ["recovery_codes"], output)


@mfa_app.command("totp-remove")
def totp_remove(api_url: ApiUrl) -> None:
    """Remove your authenticator (refused while the org requires MFA and it is your last factor)."""
    _call(api_url, "DELETE", "/me/mfa/totp")
    typer.echo("authenticator removed")


@mfa_app.command("recovery-codes")
def recovery_codes(api_url: ApiUrl, output: OutputOpt = None) -> None:
    """A new set of recovery codes (the old set stops working)."""
    emit(_call(api_url, "POST", "/me/mfa/recovery-codes"), ["recovery_codes"], output)

"""`tenantree domains …`: an org's verified email domains. Claim one, publish
the TXT record it names, then verify; a claim blocks no other org until verified."""

from __future__ import annotations

from typing import Annotated

import typer

from tenantree.cli import resolve
from tenantree.cli.backend import Backend, Refused
from tenantree.cli.connection import ApiUrlOpt, backend
from tenantree.cli.options import AsOperator
from tenantree.cli.output import OutputOpt, emit
from tenantree.cli.resolve import OrgArg

domains_app = typer.Typer(help="Verified email domains: claim, verify, list.", no_args_is_help=True)

DOMAIN_COLUMNS = ["id", "domain", "status", "txt_record_name", "txt_record_value"]
DomainArg = Annotated[str, typer.Argument(metavar="DOMAIN", help="The domain or its claim's id")]


def _claim_id(b: Backend, org, ref: str):  # type: ignore[no-untyped-def]
    wanted = ref.strip().lower().rstrip(".")
    for claim in b.list_domains(org):
        if wanted in (claim["id"], claim["domain"]):
            return resolve.uuid_arg(claim["id"], "domain")
    raise Refused("domain_not_found", f"this org has no claim of {ref!r}", "domain", 404)


@domains_app.command("list")
def list_domains(org: OrgArg, output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """The org's domain claims, pending and verified."""
    with backend(api_url) as b:
        emit(b.list_domains(resolve.org_id(b, org)), DOMAIN_COLUMNS, output)


@domains_app.command("claim")
def claim(
    org: OrgArg,
    domain: Annotated[str, typer.Argument(help="e.g. example.com")],
    output: OutputOpt = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """Claim DOMAIN; prints the TXT record to publish before `verify`."""
    with backend(api_url) as b:
        emit(b.claim_domain(resolve.org_id(b, org), domain), DOMAIN_COLUMNS, output)


@domains_app.command("verify")
def verify(
    org: OrgArg, domain: DomainArg, output: OutputOpt = None, api_url: ApiUrlOpt = None
) -> None:
    """Look up the claim's TXT record (refused while it is not published)."""
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        emit(b.verify_domain(target, _claim_id(b, target, domain)), DOMAIN_COLUMNS, output)


@domains_app.command("remove")
def remove(org: OrgArg, domain: DomainArg, api_url: ApiUrlOpt = None) -> None:
    """Give up the claim (and, if verified, the accounts it managed)."""
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        b.remove_domain(target, _claim_id(b, target, domain))
    typer.echo(f"domain {domain} removed")


@domains_app.command("all")
def every_claim(output: OutputOpt = None, api_url: ApiUrlOpt = None) -> None:
    """Every org's claims (operators), the verified one of a domain first."""
    with backend(api_url) as b:
        emit(b.list_every_domain_claim(), ["id", "domain", "status", "org_id", "org_name"], output)


@domains_app.command("revoke")
def revoke(
    claim: Annotated[str, typer.Argument(metavar="CLAIM_ID", help="The claim's id")],
    as_operator: AsOperator = None,
    api_url: ApiUrlOpt = None,
) -> None:
    """End any org's claim, verified or not (operators)."""
    with backend(api_url, as_operator=as_operator) as b:
        b.revoke_domain_claim(resolve.uuid_arg(claim, "claim"))
    typer.echo(f"domain claim {claim} revoked")

"""`tenantree licenses grant|change|end|list --api-url …`: the license commands
through the API (cli/licensing.py runs them locally), printing what they print."""

from __future__ import annotations

import json
import uuid
from typing import Any

import typer

from tenantree.cli import resolve
from tenantree.cli.backend import Record
from tenantree.cli.connection import backend
from tenantree.cli.tables import table


def _describe(license_: Record, org: Record) -> str:
    return (
        f"{license_['quantity']} {license_['unit']} of {license_['sku']} for {org['name']} "
        f"({org['id']}), {license_['starts_at']} to {license_['ends_at']}, "
        f"overage {license_['overage_policy']}, {license_['status']}"
    )


def grant(api_url: str, org: str, body: dict[str, Any]) -> None:
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        license_ = b.grant_license(target, body)
        holder = b.get_org(target)
    typer.echo(f"license {license_['id']} granted: {_describe(license_, holder)}")


def change(api_url: str, org: str, license_id: uuid.UUID, changes: dict[str, Any]) -> None:
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        license_ = b.update_license(target, license_id, changes)
        holder = b.get_org(target)
    typer.echo(f"license {license_['id']} changed: {_describe(license_, holder)}")


def end(api_url: str, org: str, license_id: uuid.UUID) -> None:
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        license_ = b.update_license(target, license_id, {"status": "ended"})
        holder = b.get_org(target)
    typer.echo(f"license {license_['id']} ended: {_describe(license_, holder)}")


def list_(api_url: str, org: str, as_json: bool, columns: list[tuple[str, str]]) -> None:
    with backend(api_url) as b:
        target = resolve.org_id(b, org)
        rows = list(b.list_licenses(target))
        holder = b.get_org(target)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    elif rows:
        typer.echo(table(rows, columns))
    else:
        typer.echo(f"{holder['name']} ({holder['id']}) holds no licenses")

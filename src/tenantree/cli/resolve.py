"""Naming things on the command line: an org by its id, its Salesforce account
ID (15 or 18 characters) or its exact name; a user by id or email. One
resolver for both modes: the backend finds the candidates, this decides."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import typer

from tenantree.cli.backend import Backend, Refused
from tenantree.cli.connection import usage_error

OrgArg = Annotated[
    str,
    typer.Argument(
        metavar="ORG", help="The org: its id, Salesforce account ID (15 or 18) or exact name."
    ),
]


def _as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref.strip())
    except ValueError:
        return None


def org_id(backend: Backend, ref: str) -> uuid.UUID:
    """The one org `ref` names; exit 1 when none does (org_not_found), exit 2
    when several do, listing them so the operator can pick an id."""
    ref = ref.strip()
    as_id = _as_uuid(ref)
    if as_id is not None:
        return as_id
    matches = backend.find_orgs(ref)
    if not matches:
        raise Refused(
            "org_not_found",
            f"no org you can see has the id, Salesforce account ID or name {ref!r}",
            "org",
            404,
        )
    if len(matches) > 1:
        listed = "; ".join(f"{m['id']} ({m['name']}, {m['salesforce_id']})" for m in matches)
        usage_error(f"{ref!r} names {len(matches)} orgs; give one by id: {listed}")
    return uuid.UUID(matches[0]["id"])


def user_id(backend: Backend, org: uuid.UUID, ref: str) -> uuid.UUID:
    """A user of the org by its id (the membership's) or email (any case)."""
    as_id = _as_uuid(ref)
    if as_id is not None:
        return as_id
    wanted = ref.strip().lower()
    for user in backend.list_users(org):
        if user["email"].lower() == wanted:
            return uuid.UUID(user["id"])
    raise Refused("user_not_found", f"no user of this org has the email {ref!r}", "user", 404)


def uuid_arg(ref: str, what: str) -> uuid.UUID:
    """An id given on the command line; exit 2 when it is not one."""
    as_id = _as_uuid(ref)
    if as_id is None:
        usage_error(f"{what} must be an id (a UUID), not {ref!r}")
    return as_id


def zoned_time(value: str) -> datetime:
    """An RFC 3339 time with its zone ('Z' or an offset), as the API wants."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not an RFC 3339 time") from exc
    if parsed.tzinfo is None:
        raise typer.BadParameter(f"{value!r} has no time zone: add Z or an offset")
    return parsed

"""cli/resolve.py: naming an org by id, Salesforce account ID or exact name."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import typer

from tenantree.cli import resolve
from tenantree.cli.backend import Refused

A, B = str(uuid.uuid4()), str(uuid.uuid4())


class Orgs:
    """A backend's find_orgs and list_users over fixed rows."""

    def __init__(self, *orgs: dict[str, Any]) -> None:
        self.orgs = list(orgs)
        self.asked: list[str] = []

    def find_orgs(self, ref: str) -> list[dict[str, Any]]:
        self.asked.append(ref)
        return [o for o in self.orgs if ref in (o["name"], o["salesforce_id"])]

    def list_users(self, org: uuid.UUID) -> Iterator[dict[str, Any]]:
        yield {"id": A, "email": "ann@example.com"}


def org(id_: str, name: str, sfid: str) -> dict[str, Any]:
    return {"id": id_, "name": name, "salesforce_id": sfid}


def test_an_id_is_taken_as_it_is_without_a_lookup() -> None:
    backend = Orgs()
    assert resolve.org_id(backend, f" {A} ") == uuid.UUID(A)  # type: ignore[arg-type]
    assert backend.asked == []


def test_a_name_naming_one_org_gives_its_id() -> None:
    backend = Orgs(org(A, "Acme", "x"))
    assert resolve.org_id(backend, "Acme") == uuid.UUID(A)  # type: ignore[arg-type]


def test_no_match_is_refused_as_org_not_found() -> None:
    with pytest.raises(Refused) as refused:
        resolve.org_id(Orgs(), "Nobody")  # type: ignore[arg-type]
    assert refused.value.code == "org_not_found"


def test_a_name_two_orgs_share_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    backend = Orgs(org(A, "Acme", "x"), org(B, "Acme", "y"))
    with pytest.raises(typer.Exit) as exited:
        resolve.org_id(backend, "Acme")  # type: ignore[arg-type]
    assert exited.value.exit_code == 2
    assert A in capsys.readouterr().err


def test_a_user_by_email_in_any_case() -> None:
    assert resolve.user_id(Orgs(), uuid.uuid4(), "ANN@example.com") == uuid.UUID(A)  # type: ignore[arg-type]


def test_a_time_needs_its_zone() -> None:
    assert resolve.zoned_time("2030-01-01T00:00:00Z").tzinfo is not None
    with pytest.raises(typer.BadParameter):
        resolve.zoned_time("2030-01-01T00:00:00")

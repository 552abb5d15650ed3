"""`tenantree licenses ...` and `tenantree report` locally, run through Typer's
CliRunner against a fresh SQLite file migrated by `tenantree db upgrade`: what
only the local mode shows (audit events by the system or a named operator, one
transaction per command). Both modes: tests/cli/commands/test_licenses.py.

The CLI is the platform operator: it grants, changes and ends licenses, and its
report on a sub-org carries the pool figures.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from factories import make_org, make_partner, make_sub_org
from tenantree import clock
from tenantree.audit.models import AuditEvent
from tenantree.audit.service import AuditTrail
from tenantree.cli.main import app
from tenantree.config import get_settings
from tenantree.db import make_engine, make_sessionmaker
from tenantree.errors import Conflict
from tenantree.identity.models import Account
from tenantree.licensing import consumption
from tenantree.licensing.models import License, LicensePool, LicenseStatus
from tenantree.licensing.pool import UsageOp
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.models import Org

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args), prog_name="tenantree")


@dataclass
class World:
    sessions: sessionmaker[Session]
    msp: uuid.UUID
    msp_salesforce_id: str
    alpha: uuid.UUID  # MSP customers: draw on the MSP's pool
    beta: uuid.UUID
    reseller: uuid.UUID
    gamma: uuid.UUID  # a reseller's customer: holds its own licenses
    standard: uuid.UUID


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated by `tenantree db upgrade`, once per module."""
    path = tmp_path_factory.mktemp("cli-licensing") / "migrated.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TENANTREE_DATABASE_URL", f"sqlite:///{path}")
        get_settings.cache_clear()
        upgraded = run("db", "upgrade")
    get_settings.cache_clear()
    assert upgraded.exit_code == 0, upgraded.output
    return path


@pytest.fixture
def world(migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Each test gets its own copy of the migrated database, and a cast of orgs."""
    path = tmp_path / "tenantree.db"
    with closing(sqlite3.connect(migrated)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    monkeypatch.setenv("TENANTREE_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    engine = make_engine(get_settings().database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        msp = make_partner(session, name="Acme MSP", partner_type=PartnerType.MSP)
        alpha = make_sub_org(session, msp, name="Alpha")
        beta = make_sub_org(session, msp, name="Beta")
        reseller = make_partner(session, name="Resell Co", partner_type=PartnerType.RESELLER)
        gamma = make_sub_org(session, reseller, name="Gamma")
        standard = make_org(session, name="Standalone")
        session.commit()
        ids = (msp.id, msp.salesforce_id, alpha.id, beta.id, reseller.id, gamma.id, standard.id)
    yield World(sessions, *ids)
    engine.dispose()
    get_settings.cache_clear()


def grant(org: uuid.UUID | str, *extra: str, quantity: int = 100, sku: str = "monitor") -> Result:
    return run(
        "licenses",
        "grant",
        "--org",
        str(org),
        "--sku",
        sku,
        "--unit",
        "devices",
        "--quantity",
        str(quantity),
        "--starts",
        "2025-01-01",
        "--ends",
        "2099-01-01",
        *extra,
        "--output",
        "json",
    )


def granted_id(result: Result) -> uuid.UUID:
    assert result.exit_code == 0, result.output
    return uuid.UUID(json.loads(result.stdout)["id"])


def licenses_of(world: World, org_id: uuid.UUID) -> list[License]:
    with world.sessions() as session:
        return list(session.scalars(select(License).where(License.holder_org_id == org_id)))


def count(world: World, model: type) -> int:
    with world.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def events(world: World, action: str) -> list[AuditEvent]:
    with world.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.at)
            )
        )


def consume(world: World, org_id: uuid.UUID, units: int, sku: str = "monitor") -> None:
    with world.sessions() as session:
        org = session.get(Org, org_id)
        assert org is not None
        consumption.report_usage(
            session,
            AuditTrail(session, None),
            org,
            sku=sku,
            op=UsageOp.SET,
            amount=units,
            sees_pool_figures=True,
        )
        session.commit()


# --- grant ---------------------------------------------------------------------


def test_grant_creates_the_license_and_an_audit_event_by_the_system(world: World) -> None:
    result = run(
        "licenses",
        "grant",
        "--org",
        str(world.msp),
        "--sku",
        "monitor",
        "--unit",
        "devices",
        "--quantity",
        "250",
        "--starts",
        "2025-01-01",
        "--ends",
        "2026-01-01T12:30:00+02:00",
        "--overage",
        "allow_and_flag",
        "--contract",
        "8008000000abcde",
        "--output",
        "json",
    )
    license_id = granted_id(result)
    printed = json.loads(result.stdout)
    assert (printed["quantity"], printed["unit"], printed["sku"]) == (250, "devices", "monitor")
    assert printed["ends_at"] == "2026-01-01T10:30:00Z"

    [license_] = licenses_of(world, world.msp)
    assert license_.id == license_id
    assert (license_.sku, license_.unit, license_.quantity) == ("monitor", "devices", 250)
    assert license_.starts_at == datetime(2025, 1, 1, tzinfo=UTC)
    assert license_.ends_at == datetime(2026, 1, 1, 10, 30, tzinfo=UTC)
    assert license_.overage_policy == "allow_and_flag"
    assert license_.status == LicenseStatus.ACTIVE
    # Stored in the 18-character form.
    assert license_.salesforce_contract_id is not None
    assert license_.salesforce_contract_id.startswith("8008000000abcde")
    assert len(license_.salesforce_contract_id) == 18

    [event] = events(world, "license.granted")
    assert event.org_id == world.msp
    assert event.target_id == str(license_id)
    assert event.actor_id is None
    assert event.request_id == "cli"
    assert event.details["quantity"] == 250


def test_grant_names_the_org_by_salesforce_account_id(world: World) -> None:
    granted_id(grant(world.msp_salesforce_id))
    granted_id(grant(world.msp_salesforce_id[:15], sku="backup"))
    assert sorted(lic.sku for lic in licenses_of(world, world.msp)) == ["backup", "monitor"]


def test_grant_as_operator_stamps_the_actor(world: World) -> None:
    with world.sessions() as session:
        operator = Account(email="ops@example.com", display_name="ops", is_operator=True)
        session.add(operator)
        session.commit()
    granted_id(grant(world.msp, "--as-operator", "OPS@example.com"))
    [event] = events(world, "license.granted")
    assert event.actor_id == operator.id
    assert event.request_id == "cli"


def test_change_and_end_as_operator_stamp_the_actor(world: World) -> None:
    with world.sessions() as session:
        operator = Account(email="ops@example.com", display_name="ops", is_operator=True)
        session.add(operator)
        session.commit()
    license_id = str(granted_id(grant(world.msp)))
    as_ops = ("--org", "Acme MSP", "--as-operator", "ops@example.com")
    assert run("licenses", "change", license_id, "--quantity", "5", *as_ops).exit_code == 0
    assert run("licenses", "end", license_id, *as_ops).exit_code == 0
    changed = events(world, "license.changed")
    assert [e.actor_id for e in changed] == [operator.id, operator.id]
    assert [set(e.details["changes"]) for e in changed] == [{"quantity"}, {"status"}]


@pytest.mark.parametrize("email", ["nobody@example.com", "member@example.com"])
def test_grant_as_an_unknown_or_non_operator_account_is_refused(world: World, email: str) -> None:
    with world.sessions() as session:
        session.add(Account(email="member@example.com", display_name="m", is_operator=False))
        session.commit()
    result = grant(world.msp, "--as-operator", email)
    assert result.exit_code == 2
    assert f"error: no platform operator has the email {email!r}" in result.stderr
    assert count(world, License) == 0


# --- change and end ------------------------------------------------------------


def test_change_updates_the_license_and_records_what_changed(world: World) -> None:
    license_id = granted_id(grant(world.msp))
    result = run(
        "licenses",
        "change",
        str(license_id),
        "--org",
        str(world.msp),
        "--quantity",
        "150",
        "--ends",
        "2030-01-01",
        "--overage",
        "allow_and_flag",
        "--output",
        "json",
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["quantity"], printed["overage_policy"]) == (150, "allow_and_flag")

    [license_] = licenses_of(world, world.msp)
    assert license_.quantity == 150
    assert license_.ends_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert license_.starts_at == datetime(2025, 1, 1, tzinfo=UTC)
    assert license_.overage_policy == "allow_and_flag"

    [event] = events(world, "license.changed")
    assert event.actor_id is None and event.request_id == "cli"
    assert event.details["changes"]["quantity"] == {"from": 100, "to": 150}
    assert set(event.details["changes"]) == {"quantity", "ends_at", "overage_policy"}


def test_change_with_nothing_to_change_is_refused(world: World) -> None:
    license_id = granted_id(grant(world.msp))
    result = run("licenses", "change", str(license_id), "--org", str(world.msp))
    assert result.exit_code == 2
    assert "error: nothing to change" in result.stderr


def test_change_a_license_of_another_org_is_not_found(world: World) -> None:
    license_id = granted_id(grant(world.msp))
    result = run("licenses", "change", str(license_id), "--org", str(world.beta), "--quantity", "1")
    assert result.exit_code == 1
    assert "error: license_not_found: no such license in this org" in result.stderr
    assert licenses_of(world, world.msp)[0].quantity == 100


def test_a_refused_change_changes_nothing(world: World) -> None:
    license_id = granted_id(grant(world.msp))
    result = run(
        "licenses",
        "change",
        str(license_id),
        "--org",
        str(world.msp),
        "--quantity",
        "5",
        "--starts",
        "2100-01-01",
    )
    assert result.exit_code == 1
    assert "ends_at must be after starts_at" in result.stderr
    [license_] = licenses_of(world, world.msp)
    assert license_.quantity == 100
    assert license_.starts_at == datetime(2025, 1, 1, tzinfo=UTC)
    assert events(world, "license.changed") == []


def test_end_ends_the_license_once(world: World) -> None:
    license_id = granted_id(grant(world.msp))
    ended = run("licenses", "end", str(license_id), "--org", str(world.msp), "-o", "json")
    assert ended.exit_code == 0, ended.output
    assert json.loads(ended.stdout)["status"] == "ended"
    [license_] = licenses_of(world, world.msp)
    assert license_.status == LicenseStatus.ENDED

    again = run("licenses", "end", str(license_id), "--org", str(world.msp), "-o", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["status"] == "ended"

    [event] = events(world, "license.changed")
    assert event.details["changes"] == {"status": {"from": "active", "to": "ended"}}


# --- list ------------------------------------------------------------------------


def test_list_as_json_and_as_a_table(world: World) -> None:
    first = granted_id(grant(world.msp, quantity=10))
    second = granted_id(grant(world.msp, quantity=20, sku="backup"))
    granted_id(grant(world.gamma, quantity=5))  # another org's: not listed
    assert run("licenses", "end", str(first), "--org", str(world.msp)).exit_code == 0

    as_json = run("licenses", "list", "--org", str(world.msp), "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    assert [(r["id"], r["sku"], r["quantity"]) for r in rows] == [
        (str(second), "backup", 20),
        (str(first), "monitor", 10),
    ]
    assert rows[0]["org_id"] == str(world.msp)
    assert (rows[0]["status"], rows[0]["in_term"]) == ("active", True)
    assert (rows[1]["status"], rows[1]["in_term"]) == ("ended", False)
    assert rows[0]["starts_at"] == "2025-01-01T00:00:00Z"

    table = run("licenses", "list", "--org", world.msp_salesforce_id, "-o", "table")
    assert table.exit_code == 0, table.output
    header, *lines = table.stdout.splitlines()
    assert header.split()[:4] == ["id", "sku", "unit", "quantity"]
    assert [line.split()[:4] for line in lines] == [
        [str(second), "backup", "devices", "20"],
        [str(first), "monitor", "devices", "10"],
    ]

    empty = run("licenses", "list", "--org", "Standalone", "-o", "table")
    assert empty.exit_code == 0
    assert len(empty.stdout.splitlines()) == 1  # the header only
    empty_json = run("licenses", "list", "--org", str(world.standard), "--format", "json")
    assert json.loads(empty_json.stdout) == []


# --- report ----------------------------------------------------------------------


@pytest.fixture
def usage(world: World) -> World:
    """The MSP holds 100 monitor devices; Alpha uses 30, Beta 20. Gamma (a
    reseller's customer) holds 10 of its own and uses 4."""
    granted_id(grant(world.msp, quantity=100))
    granted_id(grant(world.gamma, quantity=10))
    consume(world, world.alpha, 30)
    consume(world, world.beta, 20)
    consume(world, world.gamma, 4)
    return world


def test_report_parent_view_json(usage: World) -> None:
    result = run("report", "--org", str(usage.msp))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["view"] == "parent"
    assert report["org_id"] == str(usage.msp)
    assert report["period"] is None
    [pool] = report["pools"]
    assert (pool["sku"], pool["quantity"], pool["used"], pool["remaining"]) == (
        "monitor",
        100,
        50,
        50,
    )
    assert [(c["org_name"], c["used"]) for c in pool["children"]] == [("Alpha", 30), ("Beta", 20)]

    reseller = json.loads(run("report", "--org", str(usage.reseller)).stdout)
    assert reseller["pools"] == []
    [gamma] = reseller["children"]
    [own] = gamma["own_pools"]
    assert (own["quantity"], own["used"], own["remaining"]) == (10, 4, 6)


def test_report_child_view_json_carries_pool_figures_for_the_operator(usage: World) -> None:
    result = run("report", "--org", str(usage.alpha), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["view"] == "child"
    assert report["license_source"] == "parent_pool"
    [item] = report["items"]
    assert (item["sku"], item["used"], item["source"]) == ("monitor", 30, "parent_pool")
    assert item["pool"] == {
        "quantity": 100,
        "used": 50,
        "remaining": 50,
        "over_quantity": False,
        "overage_allowed": False,
        "runs_out_on": None,  # one day of history: no trend
    }


def test_report_csv(usage: World) -> None:
    parent = run("report", "--org", str(usage.msp), "--format", "csv")
    assert parent.exit_code == 0, parent.output
    rows = list(csv.DictReader(io.StringIO(parent.stdout)))
    assert [(r["consumer_org_name"], r["used"], r["pool_used"], r["quantity"]) for r in rows] == [
        ("Acme MSP", "0", "50", "100"),
        ("Alpha", "30", "50", "100"),
        ("Beta", "20", "50", "100"),
    ]
    assert {r["holder_org_id"] for r in rows} == {str(usage.msp)}

    child = run("report", "--org", str(usage.beta), "--format", "CSV")
    assert child.exit_code == 0, child.output
    [row] = list(csv.DictReader(io.StringIO(child.stdout)))
    assert (row["org_name"], row["sku"], row["used"], row["quantity"], row["remaining"]) == (
        "Beta",
        "monitor",
        "20",
        "100",
        "50",
    )


def test_report_over_a_period(usage: World) -> None:
    today = clock.utcnow().date().isoformat()
    result = run("report", "--org", str(usage.msp), "--from", today, "--to", today)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["period"] == {"from": today, "to": today}
    [pool] = report["pools"]
    assert {c["org_name"]: c["period_use"]["peak"] for c in pool["children"]} == {
        "Alpha": 30,
        "Beta": 20,
    }

    rows = list(
        csv.DictReader(
            io.StringIO(
                run(
                    "report",
                    "--org",
                    str(usage.alpha),
                    "--format",
                    "csv",
                    "--from",
                    today,
                    "--to",
                    today,
                ).stdout
            )
        )
    )
    assert [(r["used"], r["peak"]) for r in rows] == [("30", "30")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2025-01-01"], "error: give both from and to"),
        (["--from", "2025-02-01", "--to", "2025-01-01"], "error: to must not be before from"),
        (["--from", "2020-01-01", "--to", "2025-01-01"], "error: a period spans at most"),
    ],
)
def test_report_period_rules(world: World, args: list[str], message: str) -> None:
    result = run("report", "--org", str(world.msp), *args)
    assert result.exit_code == 1
    assert message.removeprefix("error: ") in result.stderr
    assert result.stdout == ""


# --- bad input -------------------------------------------------------------------


UNKNOWN = "7f6d3c1e-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    "args",
    [
        [
            "licenses",
            "grant",
            "--org",
            UNKNOWN,
            "--sku",
            "monitor",
            "--unit",
            "devices",
            "--quantity",
            "1",
            "--starts",
            "2025-01-01",
            "--ends",
            "2026-01-01",
        ],
        ["licenses", "change", str(uuid.uuid4()), "--org", UNKNOWN, "--quantity", "1"],
        ["licenses", "end", str(uuid.uuid4()), "--org", UNKNOWN],
        ["licenses", "list", "--org", UNKNOWN],
        ["licenses", "list", "--org", "001000000000000AAA"],
        ["licenses", "list", "--org", "acme"],
    ],
    ids=["grant", "change", "end", "list", "list-by-salesforce-id", "list-by-name"],
)
def test_unknown_org_exits_1_with_the_apis_code(world: World, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: org_not_found: no org ")
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize("ref", [UNKNOWN, "001000000000000AAA"])
def test_report_on_an_unknown_org_exits_1_with_a_clear_message(world: World, ref: str) -> None:
    result = run("report", "--org", ref)
    assert result.exit_code == 1
    assert "no org has the id or Salesforce account ID" in result.stderr
    assert result.stdout == ""


def test_a_report_org_reference_that_is_neither_id_nor_salesforce_id(world: World) -> None:
    result = run("report", "--org", "acme")
    assert result.exit_code == 1
    assert "neither an org id (a UUID) nor a Salesforce account ID" in result.stderr


def test_ends_before_starts_is_refused_and_nothing_is_written(world: World) -> None:
    result = run(
        "licenses",
        "grant",
        "--org",
        str(world.msp),
        "--sku",
        "monitor",
        "--unit",
        "devices",
        "--quantity",
        "10",
        "--starts",
        "2026-01-01",
        "--ends",
        "2025-06-01",
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: invalid: ends_at must be after starts_at (field: ends_at)"
    )
    assert count(world, License) == 0
    assert count(world, LicensePool) == 0
    assert events(world, "license.granted") == []


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--starts", "2025-01-01T09:00:00", "has no zone"),
        ("--starts", "next monday", "is not a day"),
        ("--quantity", "many", "integer"),
        ("--overage", "sometimes", "sometimes"),
    ],
)
def test_malformed_options_are_usage_errors(
    world: World, option: str, value: str, says: str
) -> None:
    args = {
        "--org": str(world.msp),
        "--sku": "monitor",
        "--unit": "devices",
        "--quantity": "10",
        "--starts": "2025-01-01",
        "--ends": "2026-01-01",
        option: value,
    }
    result = run("licenses", "grant", *[part for pair in args.items() for part in pair])
    assert result.exit_code == 2
    assert option in result.stderr
    assert says in " ".join(result.stderr.split())  # rich wraps long lines
    assert count(world, License) == 0


@pytest.mark.parametrize(
    ("option", "value", "field", "says"),
    [
        ("--quantity", "-1", "quantity", "greater than or equal to 0"),
        ("--sku", "no spaces", "sku", "should match pattern"),
        ("--unit", "Devices", "unit", "should match pattern"),
    ],
)
def test_values_the_api_refuses_are_refused_as_by_the_api(
    world: World, option: str, value: str, field: str, says: str
) -> None:
    args = {"--org": str(world.msp), "--sku": "monitor", "--unit": "devices", "--quantity": "10"}
    result = run(
        "licenses",
        "grant",
        *[part for pair in (args | {option: value}).items() for part in pair],
        "--starts",
        "2025-01-01",
        "--ends",
        "2026-01-01",
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: invalid: ")
    assert says in result.stderr and f"(field: {field})" in result.stderr
    assert count(world, License) == 0


def test_a_bad_contract_id_is_refused(world: World) -> None:
    result = grant(world.msp, "--contract", "not-a-salesforce-id")
    assert result.exit_code == 1
    assert "(field: salesforce_contract_id)" in result.stderr
    assert count(world, License) == 0


# --- one transaction per command ------------------------------------------------------


def test_a_grant_that_fails_after_writing_leaves_no_row(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The license and its new pool are flushed before the audit event is
    written; a failure there must take both back."""

    def refuse(self: AuditTrail, *args: object, **kwargs: object) -> None:
        raise Conflict("the audit trail refused")

    monkeypatch.setattr(AuditTrail, "record", refuse)
    result = grant(world.msp)
    assert result.exit_code == 1
    assert "the audit trail refused" in result.stderr
    monkeypatch.undo()

    assert count(world, License) == 0
    assert count(world, LicensePool) == 0


def test_an_unexpected_failure_also_leaves_no_row(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(self: AuditTrail, *args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(AuditTrail, "record", crash)
    result = grant(world.msp)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    assert count(world, License) == 0
    assert count(world, LicensePool) == 0


# --- help ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["licenses"],
        ["licenses", "grant"],
        ["licenses", "change"],
        ["licenses", "end"],
        ["licenses", "list"],
        ["report"],
    ],
    ids=" ".join,
)
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage: tenantree " + " ".join(command) in " ".join(result.stdout.split())
    assert "--help" in result.stdout


def test_the_licensing_commands_are_listed() -> None:
    top = run("--help")
    assert "licenses" in top.stdout and "report" in top.stdout
    sub = run("licenses", "--help")
    for name in ("grant", "change", "end", "list"):
        assert name in sub.stdout

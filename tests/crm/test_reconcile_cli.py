"""`tenantree crm reconcile FILE`: the same drift as the API, as table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import Result
from sqlalchemy import func, select
from typer.testing import CliRunner

from crm.planted import PLANTED, plant_tree, planted_export
from tenantree.cli.main import app
from tenantree.config import get_settings
from tenantree.crm.models import Reconciliation

runner = CliRunner()


@pytest.fixture
def export(db, sessions, database_url, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    with sessions() as session:
        plant_tree(session)
        session.commit()
    monkeypatch.setenv("TENANTREE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    path = tmp_path / "accounts.csv"
    path.write_bytes(planted_export())
    yield path
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return runner.invoke(app, ["crm", "reconcile", *args], prog_name="tenantree")


def kept(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Reconciliation))  # type: ignore[no-any-return]


def test_json_output_holds_each_planted_drift_once_and_the_result_is_kept(export, sessions):
    result = run(str(export), "--output", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {d["kind"]: d["salesforce_id"] for d in body["drifts"]} == PLANTED
    assert body["drift_count"] == len(PLANTED)
    assert kept(sessions) == 1


def test_csv_output_has_a_row_per_drift(export):
    result = run(str(export), "-o", "csv", "--no-keep")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(r["kind"] for r in rows) == sorted(PLANTED)


def test_the_table_names_every_drift_and_ends_with_a_summary(export):
    result = run(str(export), "--no-keep")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["KIND", "SALESFORCE"]
    assert {line.split()[0] for line in lines[1:-1]} == set(PLANTED)
    assert lines[-1] == f"10 accounts, 8 orgs: {len(PLANTED)} drifts"


def test_no_keep_leaves_nothing_behind(export, sessions):
    assert run(str(export), "--no-keep").exit_code == 0
    assert kept(sessions) == 0


def test_a_bad_file_fails_naming_the_row_and_column(export, sessions):
    export.write_bytes(planted_export().replace(b"Litware, Inc.", b""))
    result = run(str(export))
    assert result.exit_code == 1  # refused, as the API's 422
    assert 'row 5, column "Account Name"' in result.stderr
    assert kept(sessions) == 0

"""`tenantree licenses grant|change|end|list` in both modes: the operator grants,
changes and ends P's licenses; a partner admin reads its own, and is refused
where its role is (only operators grant, change and end)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from cli.commands.running import Cli, error_code

TERM = ["--starts", "2025-01-01", "--ends", "2099-01-01"]


def grant(cli: Cli, org: str = "Partner P", *extra: str, actor: str = "OP", output: str = "json"):  # type: ignore[no-untyped-def]
    return cli.run(
        "licenses", "grant", "--org", org, "--sku", "mon", "--unit", "devices",
        "--quantity", "10", *TERM, *extra, actor=actor, output=output,
    )  # fmt: skip


def granted(cli: Cli, org: str = "Partner P", *extra: str) -> dict[str, Any]:
    result = grant(cli, org, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_grant_names_the_org_by_name_salesforce_id_or_id(cli: Cli) -> None:
    partner = cli.world.P
    by_name = granted(cli, "Partner P")
    by_salesforce_id = granted(cli, partner.salesforce_id[:15])
    by_id = granted(cli, str(partner.id), "--overage", "allow_and_flag")
    assert {by_name["org_id"], by_salesforce_id["org_id"], by_id["org_id"]} == {str(partner.id)}
    assert (by_name["sku"], by_name["unit"], by_name["quantity"]) == ("mon", "devices", 10)
    assert by_name["starts_at"].startswith("2025-01-01T00:00:00")
    assert (by_name["status"], by_name["in_term"]) == ("active", True)
    assert by_id["overage_policy"] == "allow_and_flag"


def test_grant_change_end_and_list(cli: Cli) -> None:
    license_id = granted(cli)["id"]
    changed = cli.ok(
        "licenses", "change", license_id, "--org", "Partner P", "--quantity", "20",
        "--ends", "2098-06-01T12:00:00+02:00",
    )  # fmt: skip
    assert (changed["quantity"], changed["ends_at"][:19]) == (20, "2098-06-01T10:00:00")
    ended = cli.ok("licenses", "end", license_id, "--org", "Partner P")
    assert (ended["status"], ended["quantity"]) == ("ended", 20)
    again = cli.ok("licenses", "end", license_id, "--org", "Partner P")
    assert again["status"] == "ended"
    listed = cli.ok("licenses", "list", "--org", "Partner P")
    assert [(r["id"], r["quantity"], r["status"]) for r in listed] == [(license_id, 20, "ended")]


def test_list_as_a_table_and_csv_with_the_license_columns(cli: Cli) -> None:
    license_id = granted(cli)["id"]
    table = cli.run("licenses", "list", "--org", "Partner P", output="table")
    assert table.exit_code == 0, table.output
    header, row = table.stdout.splitlines()[:2]
    assert header.split()[:4] == ["id", "sku", "unit", "quantity"]
    assert row.split()[:4] == [license_id, "mon", "devices", "10"]
    as_csv = cli.run("licenses", "list", "--org", "Partner P", output="csv")
    [record] = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert (record["id"], record["status"], record["in_term"]) == (license_id, "active", "True")
    assert record["salesforce_contract_id"] == ""


def test_list_keeps_the_format_option_of_before(cli: Cli) -> None:
    granted(cli)
    result = cli.run("licenses", "list", "--org", "Partner P", "--format", "json", output=None)
    assert result.exit_code == 0, result.output
    assert [r["sku"] for r in json.loads(result.stdout)] == ["mon"]


def test_an_org_without_licenses_lists_none(cli: Cli) -> None:
    assert cli.ok("licenses", "list", "--org", "Unrelated U") == []


def test_a_term_ending_before_it_starts_is_refused(cli: Cli) -> None:
    result = cli.run(
        "licenses", "grant", "--org", "Partner P", "--sku", "mon", "--unit", "devices",
        "--quantity", "10", "--starts", "2026-01-01", "--ends", "2025-01-01",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert error_code(result) == "invalid"
    assert "(field: ends_at)" in result.stderr
    assert cli.ok("licenses", "list", "--org", "Partner P") == []


@pytest.mark.parametrize(
    ("extra", "field"),
    [(["--contract", "12345"], "salesforce_contract_id"), (["--quantity", "-1"], "quantity")],
)
def test_a_value_the_api_refuses_is_refused_naming_the_field(
    cli: Cli, extra: list[str], field: str
) -> None:
    result = grant(cli, "Partner P", *extra)
    assert result.exit_code == 1, result.output
    assert error_code(result) == "invalid"
    assert f"(field: {field})" in result.stderr


def test_a_license_of_another_org_is_not_found(cli: Cli) -> None:
    license_id = granted(cli)["id"]
    result = cli.run("licenses", "end", license_id, "--org", "Unrelated U")
    assert result.exit_code == 1
    assert error_code(result) == "license_not_found"


@pytest.mark.parametrize(
    "args",
    [
        ["licenses", "change", "00000000-0000-0000-0000-000000000001", "--org", "Partner P"],
        ["licenses", "grant", "--org", "Partner P", "--sku", "mon", "--unit", "devices",
         "--quantity", "1", "--starts", "2025-01-01", "--ends", "2026-01-01T00:00:00"],
        ["licenses", "list", "--org", "Partner P", "--output", "xml"],
    ],
    ids=["nothing-to-change", "time-without-zone", "unknown-output"],
)  # fmt: skip
def test_usage_errors_exit_2(cli: Cli, args: list[str]) -> None:
    assert cli.run(*args, output=None).exit_code == 2


def test_an_unknown_org_is_refused(cli: Cli) -> None:
    result = cli.run("licenses", "list", "--org", "No Such Org")
    assert result.exit_code == 1
    assert error_code(result) == "org_not_found"


def test_a_partner_admin_lists_its_licenses_but_may_not_grant_change_or_end(remote: Cli) -> None:
    license_id = granted(remote)["id"]
    assert [r["id"] for r in remote.ok("licenses", "list", "--org", "Partner P", actor="P-PA")] == [
        license_id
    ]
    refused = [
        grant(remote, actor="P-PA"),
        remote.run("licenses", "change", license_id, "--org", "Partner P", "--quantity", "99",
                   actor="P-PA"),
        remote.run("licenses", "end", license_id, "--org", "Partner P", actor="P-PA"),
    ]  # fmt: skip
    assert [(r.exit_code, error_code(r)) for r in refused] == [(1, "forbidden")] * 3
    [still] = remote.ok("licenses", "list", "--org", "Partner P")
    assert (still["quantity"], still["status"]) == (10, "active")


def test_a_sub_org_admin_may_not_list_its_partners_licenses(remote: Cli) -> None:
    result = remote.run("licenses", "list", "--org", str(remote.world.P.id), actor="S-A")
    assert result.exit_code == 1
    assert error_code(result) in {"org_not_found", "forbidden"}


def test_as_operator_is_a_usage_error_remotely(remote: Cli) -> None:
    result = grant(remote, "Partner P", "--as-operator", "op@example.com")
    assert result.exit_code == 2
    assert "--as-operator is for local mode" in result.stderr

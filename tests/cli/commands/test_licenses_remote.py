"""`tenantree licenses grant|change|end|list --api-url …`: the license commands
through the API (their local runs are tests/cli/test_licensing_cli.py)."""

from __future__ import annotations

import json
import re

from cli.commands.running import Cli, error_code

TERM = ["--starts", "2025-01-01", "--ends", "2099-01-01"]


def grant(remote: Cli, actor: str = "OP"):  # type: ignore[no-untyped-def]
    return remote.run(
        "licenses", "grant", "--org", "Partner P", "--sku", "mon", "--unit", "devices",
        "--quantity", "10", *TERM, actor=actor, output=None,
    )  # fmt: skip


def test_grant_change_end_and_list_through_the_api(remote: Cli) -> None:
    granted = grant(remote)
    assert granted.exit_code == 0, granted.output
    license_id = re.search(r"license ([0-9a-f-]{36}) granted: 10 devices of mon", granted.stdout)
    assert license_id
    changed = remote.run(
        "licenses", "change", license_id[1], "--org", "Partner P", "--quantity", "20", output=None
    )
    assert changed.exit_code == 0, changed.output
    assert "20 devices" in changed.stdout
    ended = remote.run("licenses", "end", license_id[1], "--org", "Partner P", output=None)
    assert ended.exit_code == 0, ended.output
    listed = remote.run("licenses", "list", "--org", "Partner P", "--format", "json", output=None)
    rows = json.loads(listed.stdout)
    assert [(r["id"], r["quantity"], r["status"]) for r in rows] == [(license_id[1], 20, "ended")]


def test_a_partner_admin_may_not_grant_itself_licenses(remote: Cli) -> None:
    result = grant(remote, actor="P-PA")
    assert result.exit_code == 1
    assert error_code(result) == "forbidden"

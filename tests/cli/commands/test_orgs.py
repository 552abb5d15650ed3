"""`tenantree orgs …` and `tenantree sub-orgs …` in both modes."""

from __future__ import annotations

from cli.commands.running import Cli, error_code
from factories import salesforce_id


def test_orgs_list_shows_every_org_to_the_operator(cli: Cli) -> None:
    names = {o["name"] for o in cli.ok("orgs", "list")}
    assert names == {"Partner P", "Sub-org S", "Sibling T", "Unrelated U"}


def test_orgs_list_searches_names(cli: Cli) -> None:
    assert [o["name"] for o in cli.ok("orgs", "list", "--search", "sibl")] == ["Sibling T"]


def test_orgs_show_finds_an_org_by_id_salesforce_id_or_exact_name(cli: Cli) -> None:
    s = cli.world.S
    for ref in (str(s.id), s.salesforce_id, s.salesforce_id[:15], "Sub-org S"):
        assert cli.ok("orgs", "show", ref)["id"] == str(s.id), ref


def test_an_unknown_org_is_refused_with_org_not_found(cli: Cli) -> None:
    result = cli.run("orgs", "show", "No Such Org")
    assert result.exit_code == 1
    assert error_code(result) == "org_not_found"


def test_a_name_two_orgs_share_is_a_usage_error_listing_them(cli: Cli) -> None:
    cli.ok("orgs", "rename", "Unrelated U", "Sibling T")
    result = cli.run("orgs", "show", "Sibling T")
    assert result.exit_code == 2
    assert str(cli.world.T.id) in result.stderr and str(cli.world.U.id) in result.stderr


def test_orgs_create_makes_an_org_and_invites_its_primary_admin(cli: Cli) -> None:
    sfid = salesforce_id()
    created = cli.ok(
        "orgs", "create", "New Co", "--salesforce-id", sfid, "--admin-email", "boss@newco.example",
        "--edition", "pro",
    )  # fmt: skip
    assert (created["name"], created["edition"], created["salesforce_id"]) == (
        "New Co",
        "pro",
        sfid,
    )
    invitations = cli.ok("invitations", "list", "New Co")
    assert [i["email"] for i in invitations] == ["boss@newco.example"]


def test_orgs_create_refuses_a_bad_salesforce_id_naming_the_field(cli: Cli) -> None:
    result = cli.run(
        "orgs", "create", "New Co", "--salesforce-id", "nope", "--admin-email", "a@b.example"
    )
    assert result.exit_code == 1
    assert "salesforce_id" in result.stderr


def test_orgs_rename_and_edition_change_the_org(cli: Cli) -> None:
    assert cli.ok("orgs", "rename", str(cli.world.U.id), "Renamed U")["name"] == "Renamed U"
    assert cli.ok("orgs", "edition", "Renamed U", "pro")["edition"] == "pro"


def test_activate_partner_makes_a_standalone_org_a_reseller(cli: Cli) -> None:
    org = cli.ok("orgs", "activate-partner", "Unrelated U", "reseller")
    assert (org["kind"], org["partner_type"]) == ("partner", "reseller")


def test_activating_a_sub_org_as_partner_is_refused(cli: Cli) -> None:
    result = cli.run("orgs", "activate-partner", "Sub-org S", "msp")
    assert result.exit_code == 1


def test_deactivating_a_partner_with_customers_needs_the_choice(cli: Cli) -> None:
    result = cli.run("orgs", "deactivate", "Partner P")
    assert result.exit_code == 1
    assert "customers" in result.stderr
    assert cli.ok("orgs", "show", "Partner P")["status"] == "active"


def test_deactivate_with_suspend_and_reactivate(cli: Cli) -> None:
    assert cli.ok("orgs", "deactivate", "Partner P", "--customers", "suspend")["status"] == (
        "deactivated"
    )
    assert cli.ok("orgs", "show", "Sub-org S")["status"] == "deactivated"
    assert cli.ok("orgs", "reactivate", "Partner P")["status"] == "active"
    assert cli.ok("orgs", "show", "Sub-org S")["status"] == "active"


def test_sub_orgs_create_and_list(cli: Cli) -> None:
    sfid = salesforce_id()
    created = cli.ok(
        "sub-orgs", "create", "Partner P", "Customer C", "--salesforce-id", sfid,
        "--customer-name", "C Corp",
    )  # fmt: skip
    assert (created["kind"], created["parent_id"]) == ("sub_org", str(cli.world.P.id))
    names = [o["name"] for o in cli.ok("sub-orgs", "list", "Partner P")]
    assert names == ["Customer C", "Sibling T", "Sub-org S"]


def test_csv_and_table_outputs(cli: Cli) -> None:
    csv_out = cli.run("sub-orgs", "list", "Partner P", output="csv").stdout.splitlines()
    assert csv_out[0] == "id,name,customer_name,edition,salesforce_id,status"
    assert len(csv_out) == 3
    table_out = cli.run("orgs", "show", "Sibling T", output="table").stdout.splitlines()
    assert table_out[0].split() == ["id", "name", "kind", "partner_type", "edition"] + [
        "salesforce_id",
        "status",
    ]
    assert "Sibling T" in table_out[1]


def test_a_partner_admin_lists_its_own_sub_orgs_remotely(remote: Cli) -> None:
    names = [o["name"] for o in remote.ok("sub-orgs", "list", "Partner P", actor="P-A")]
    assert names == ["Sibling T", "Sub-org S"]


def test_a_partner_admin_is_refused_outside_its_subtree(remote: Cli) -> None:
    result = remote.run("orgs", "show", str(remote.world.U.id), actor="P-A")
    assert result.exit_code == 1
    assert error_code(result) == "org_not_found"
    result = remote.run("orgs", "show", "Unrelated U", actor="P-A")
    assert result.exit_code == 1
    assert error_code(result) == "org_not_found"


def test_a_partner_admin_may_not_create_sub_orgs_or_rename(remote: Cli) -> None:
    result = remote.run(
        "sub-orgs", "create", "Partner P", "X", "--salesforce-id", salesforce_id(),
        "--customer-name", "X", actor="P-A",
    )  # fmt: skip
    assert result.exit_code == 1
    assert error_code(result) == "forbidden"
    assert remote.run("orgs", "rename", "Sub-org S", "Mine", actor="P-A").exit_code == 1


def test_as_operator_is_a_usage_error_remotely(remote: Cli) -> None:
    result = remote.run("orgs", "reactivate", "Partner P", "--as-operator", "op@example.com")
    assert result.exit_code == 2


def test_move_puts_a_sub_org_under_another_partner(cli: Cli) -> None:
    cli.ok("orgs", "activate-partner", "Unrelated U", "reseller")
    moved = cli.ok("orgs", "move", "Sub-org S", "--to", "Unrelated U")
    assert moved["to_partner_id"] == str(cli.world.U.id)
    assert moved["from_partner_id"] == str(cli.world.P.id)
    assert [o["name"] for o in cli.ok("sub-orgs", "list", "Unrelated U")] == ["Sub-org S"]


def test_a_partner_admin_may_not_move_its_sub_org_remotely(remote: Cli) -> None:
    result = remote.run(
        "orgs", "move", str(remote.world.S.id), "--to", str(remote.world.P.id), actor="P-A"
    )
    assert result.exit_code == 1
    assert error_code(result) in {"forbidden", "operator_only"}


def test_an_operator_only_command_records_the_operator_named(world, local_env) -> None:  # type: ignore[no-untyped-def]
    local = Cli("local", world, None)
    local.ok("orgs", "rename", "Unrelated U", "Renamed U", "--as-operator", "op@example.com")
    events = local.ok("audit", "search", "--org", "Renamed U", "--action", "org.updated")
    assert [e["actor_id"] for e in events] == [str(world.accounts["OP"].id)]


def test_as_operator_on_any_operator_command_is_a_usage_error_remotely(remote: Cli) -> None:
    as_op = ("--as-operator", "op@example.com")
    assert remote.run("orgs", "rename", "Unrelated U", "X", *as_op).exit_code == 2
    assert remote.run("license-source", "set", "Sub-org S", "own", *as_op).exit_code == 2
    granted = remote.run(
        "licenses", "grant", "--org", "Partner P", "--sku", "mon", "--unit", "devices",
        "--quantity", "1", "--starts", "2025-01-01", "--ends", "2099-01-01", *as_op, output=None,
    )  # fmt: skip
    assert granted.exit_code == 2

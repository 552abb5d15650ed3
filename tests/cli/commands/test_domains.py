"""`tenantree domains …` in both modes (nothing is published in DNS here, so a
verification is refused)."""

from __future__ import annotations

from cli.commands.running import Cli, error_code

DOMAIN = "pcorp-cli-test.com"


def test_claim_list_and_remove_a_domain(cli: Cli) -> None:
    claimed = cli.ok("domains", "claim", "Partner P", DOMAIN)
    assert (claimed["domain"], claimed["status"]) == (DOMAIN, "pending")
    assert claimed["txt_record_name"] and claimed["txt_record_value"]
    assert [c["id"] for c in cli.ok("domains", "list", "Partner P")] == [claimed["id"]]
    assert cli.run("domains", "remove", "Partner P", DOMAIN, output=None).exit_code == 0
    assert cli.ok("domains", "list", "Partner P") == []


def test_verify_without_the_txt_record_is_refused_and_stays_pending(cli: Cli) -> None:
    claimed = cli.ok("domains", "claim", "Partner P", DOMAIN)
    result = cli.run("domains", "verify", "Partner P", claimed["id"])
    assert result.exit_code == 1
    assert cli.ok("domains", "list", "Partner P")[0]["status"] == "pending"


def test_an_unknown_claim_is_refused(cli: Cli) -> None:
    result = cli.run("domains", "verify", "Partner P", "nothing-claimed.com")
    assert result.exit_code == 1
    assert error_code(result) == "domain_not_found"


def test_a_claim_of_a_bad_name_is_refused(cli: Cli) -> None:
    result = cli.run("domains", "claim", "Partner P", "not a domain")
    assert result.exit_code == 1


def test_a_partner_admin_claims_for_its_org_not_others(remote: Cli) -> None:
    assert remote.ok("domains", "claim", "Partner P", DOMAIN, actor="P-PA")["domain"] == DOMAIN
    result = remote.run("domains", "list", str(remote.world.U.id), actor="P-PA")
    assert result.exit_code == 1
    assert error_code(result) == "org_not_found"


def test_the_operator_lists_every_claim_and_revokes_one(cli: Cli) -> None:
    claimed = cli.ok("domains", "claim", "Sibling T", DOMAIN)
    every = cli.ok("domains", "all")
    assert [(c["id"], c["org_name"]) for c in every] == [(claimed["id"], "Sibling T")]
    assert cli.run("domains", "revoke", claimed["id"], output=None).exit_code == 0
    assert cli.ok("domains", "all") == []


def test_only_operators_list_every_claim(remote: Cli) -> None:
    result = remote.run("domains", "all", actor="P-PA")
    assert result.exit_code == 1
    assert error_code(result) == "operator_only"

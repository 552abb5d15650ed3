"""`tenantree alerts list | ack` in both modes: acknowledged alerts leave the
open list and stay listed; through the API, the token's policy decides."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from cli.commands.running import Cli, error_code
from tenantree.alerts.models import Alert


def raise_alert(arrange_sessions: sessionmaker[Session], org_id: uuid.UUID) -> str:
    with arrange_sessions() as session:
        alert = Alert(
            org_id=org_id,
            kind="quota_use",
            subject_id=uuid.uuid4(),
            sku="mon",
            threshold=80,
            epoch=1,
            figures={"quota": 10, "used": 8, "unit": "devices", "percent": 80},
        )
        session.add(alert)
        session.commit()
        return str(alert.id)


def test_ack_takes_an_alert_off_the_open_list(cli: Cli, arrange_sessions) -> None:
    alert = raise_alert(arrange_sessions, cli.world.S.id)
    assert [a["id"] for a in cli.ok("alerts", "list", "Sub-org S", "--open")] == [alert]

    done = cli.ok("alerts", "ack", "Sub-org S", alert)

    assert (done["id"], done["state"]) == (alert, "acknowledged")
    assert cli.ok("alerts", "list", "Sub-org S", "--state", "open") == []
    listed = cli.ok("alerts", "list", "Sub-org S", "--state", "acknowledged")
    assert [a["id"] for a in listed] == [alert]


def test_ack_of_another_orgs_alert_is_not_found(cli: Cli, arrange_sessions) -> None:
    alert = raise_alert(arrange_sessions, cli.world.T.id)
    result = cli.run("alerts", "ack", "Sub-org S", alert)
    assert result.exit_code == 1
    assert error_code(result) == "alert_not_found"


def test_a_customers_own_admin_acknowledges_its_partners_staff_may_not(
    remote: Cli, arrange_sessions
) -> None:
    alert = raise_alert(arrange_sessions, remote.world.S.id)
    refused = remote.run("alerts", "ack", str(remote.world.S.id), alert, actor="P-A")
    assert refused.exit_code == 1
    assert error_code(refused) == "forbidden"
    done = remote.ok("alerts", "ack", str(remote.world.S.id), alert, actor="S-A")
    assert done["acknowledged_by"] is not None

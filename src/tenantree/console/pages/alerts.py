"""An org's license alerts: open, acknowledged or all, and acknowledging one
(from this page or from the banner on any of the org's pages).

Same service and permissions as GET/POST /api/v1/orgs/{id}/alerts[...].
"""

from __future__ import annotations

import uuid

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from tenantree.access.permissions import Permission as P
from tenantree.alerts import service
from tenantree.alerts.rules import AlertState
from tenantree.console.deps import FormDep, OrgPage
from tenantree.console.forms import done
from tenantree.console.listing import Listing, Word, direction
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute, safe_back
from tenantree.web.routing import GatedRouter

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

STATES = (
    (AlertState.OPEN, "Open"),
    (AlertState.ACKNOWLEDGED, "Acknowledged"),
    (AlertState.ALL, "All"),
)


def _page(org_id: uuid.UUID) -> str:
    return f"/orgs/{org_id}/alerts"


@router.get("/orgs/{org_id}/alerts")
def alerts_page(
    request: Request,
    target: OrgPage(P.ORG_ALERTS_READ),
    state: str = "open",
    done: str = "",
    sort: Word = "raised",
    dir: Word = "desc",  # noqa: A002 - the parameter's name
) -> Response:
    # An unknown state shows the open ones rather than an error: it is a filter link.
    chosen = AlertState(state) if state in AlertState.__members__.values() else AlertState.OPEN
    listing = Listing(_page(target.org.id), {"state": chosen.value}, sort, direction(dir))
    alerts = service.list_alerts(
        target.session, target.org, state=chosen, sort=sort, descending=listing.descending
    )
    return render(
        request,
        target.session,
        "alerts.html",
        title=f"License alerts of {target.org.name}",
        listed=[(alert, service.describe(alert)) for alert in alerts],
        states=STATES,
        state=chosen,
        listing=listing,
        notice="Alert acknowledged: it no longer shows on the banner." if done else None,
    )


@router.post("/orgs/{org_id}/alerts/{alert_id}/acknowledge")
def acknowledge_alert(
    alert_id: uuid.UUID, target: OrgPage(P.ORG_ALERTS_ACKNOWLEDGE), form: FormDep
) -> Response:
    service.acknowledge(target.session, target.trail, target.org, alert_id)
    # From the banner: back to the page it was on, where the banner now lacks it.
    back = safe_back(form.get("back"))
    if back and back != _page(target.org.id):
        return RedirectResponse(back, 303)
    return done(_page(target.org.id), "acknowledged")

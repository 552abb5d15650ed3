import uuid
from typing import Annotated

from fastapi import Query

from tenantree.access.permissions import Permission as P
from tenantree.alerts import service
from tenantree.alerts.rules import AlertState
from tenantree.api.deps import OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.alerts import AlertOut, AlertThresholdsBody, AlertThresholdsOut
from tenantree.api.schemas.common import ListResponse
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}",
    tags=["alerts"],
    responses=ERROR_RESPONSES,
)


@router.get(
    "/alerts",
    response_model=ListResponse[AlertOut],
    operation_id="list_alerts",
    description=(
        "The org's license alerts, newest first: its licenses ending (30, 7, 1 days), "
        "its pools' use crossing a threshold, and for a sub-org its quota's. Each shows "
        "the org's own figures only. `state=open` (neither cleared nor acknowledged: "
        "what the console's banner shows), `acknowledged`, or `all` (the default)."
    ),
)
def list_alerts(
    target: OrgWith(P.ORG_ALERTS_READ),
    state: Annotated[AlertState, Query(description="Which alerts to list")] = AlertState.ALL,
    open_only: Annotated[
        bool, Query(alias="open", description="Same as state=open (kept for older clients)")
    ] = False,
) -> ListResponse[AlertOut]:
    alerts = service.list_alerts(target.session, target.org, state=state, open_only=open_only)
    return ListResponse(
        items=[AlertOut.model_validate(a, from_attributes=True) for a in alerts], next_cursor=None
    )


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response_model=AlertOut,
    operation_id="acknowledge_alert",
    description=(
        "Acknowledge one of the org's alerts: it leaves the banner and stays listed "
        "(`state=acknowledged`). For the admins of the org it was raised to (a sub-org's "
        "quota alert: the sub-org's own admins, not its partner's staff). Audited as "
        "`alert.acknowledged`; acknowledging it again changes nothing. An alert of "
        "another org is 404 `alert_not_found`."
    ),
)
def acknowledge_alert(alert_id: uuid.UUID, target: OrgWith(P.ORG_ALERTS_ACKNOWLEDGE)) -> AlertOut:
    alert = service.acknowledge(target.session, target.trail, target.org, alert_id)
    return AlertOut.model_validate(alert, from_attributes=True)


@router.get(
    "/alert-thresholds",
    response_model=AlertThresholdsOut,
    operation_id="get_alert_thresholds",
)
def get_alert_thresholds(target: OrgWith(P.ORG_ALERTS_READ)) -> AlertThresholdsOut:
    found = service.get_thresholds(target.session, target.org)
    return AlertThresholdsOut(percents=list(found.percents), is_default=found.is_default)


@router.put(
    "/alert-thresholds",
    response_model=AlertThresholdsOut,
    operation_id="set_alert_thresholds",
    description=(
        "The percents of each pool the org holds (and of each quota it gives its "
        "sub-orgs) whose crossing alerts; default 80 and 100."
    ),
)
def set_alert_thresholds(
    body: AlertThresholdsBody, target: OrgWith(P.ORG_ALERT_THRESHOLDS_MANAGE)
) -> AlertThresholdsOut:
    found = service.set_thresholds(target.session, target.trail, target.org, body.percents)
    return AlertThresholdsOut(percents=list(found.percents), is_default=found.is_default)

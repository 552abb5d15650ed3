from typing import Annotated

from fastapi import APIRouter, Query

from tenantree.access.permissions import Permission as P
from tenantree.alerts import service
from tenantree.api.deps import OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.alerts import AlertOut, AlertThresholdsBody, AlertThresholdsOut
from tenantree.api.schemas.common import ListResponse

router = APIRouter(
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
        "the org's own figures only."
    ),
)
def list_alerts(
    target: OrgWith(P.ORG_ALERTS_READ),
    open_only: Annotated[bool, Query(alias="open")] = False,
) -> ListResponse[AlertOut]:
    alerts = service.list_alerts(target.session, target.org, open_only=open_only)
    return ListResponse(
        items=[AlertOut.model_validate(a, from_attributes=True) for a in alerts], next_cursor=None
    )


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

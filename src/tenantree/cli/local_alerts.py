"""License alerts on the database, as the platform operator on the server: the
shapes of GET/POST /api/v1/orgs/{id}/alerts[...] (api/schemas/alerts.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from tenantree.alerts import service
from tenantree.alerts.models import Alert
from tenantree.alerts.rules import AlertState
from tenantree.cli.backend import Record
from tenantree.cli.local_base import LocalBase, domain_refusals


def alert_record(alert: Alert) -> Record:
    return {
        "id": str(alert.id),
        "org_id": str(alert.org_id),
        "kind": alert.kind,
        "subject_id": str(alert.subject_id),
        "sku": alert.sku,
        "threshold": alert.threshold,
        "figures": alert.figures,
        "raised_at": alert.raised_at.isoformat(),
        "cleared_at": alert.cleared_at.isoformat() if alert.cleared_at else None,
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by": str(alert.acknowledged_by) if alert.acknowledged_by else None,
    }


class AlertOperations(LocalBase):
    def list_alerts(self, org_id: uuid.UUID, *, state: str) -> Iterator[Record]:
        org = self._org(org_id)
        alerts = service.list_alerts(self.session, org, state=AlertState(state))
        return iter([alert_record(alert) for alert in alerts])

    def acknowledge_alert(self, org_id: uuid.UUID, alert_id: uuid.UUID) -> Record:
        org = self._org(org_id)
        with domain_refusals():
            return alert_record(service.acknowledge(self.session, self.trail, org, alert_id))

"""Reconciling the tree with a Salesforce Accounts export on the local database,
through the service of POST /api/v1/crm/reconciliations, in its answer's shape."""

from __future__ import annotations

from tenantree.cli import records
from tenantree.cli.backend import Record
from tenantree.cli.local_base import LocalBase, domain_refusals
from tenantree.crm import service as crm


class CrmOperations(LocalBase):
    def reconcile_crm(self, data: bytes, *, filename: str, keep: bool) -> Record:
        with domain_refusals():
            record = crm.run_reconciliation(
                self.session, data, filename=filename, created_by=self.trail.actor_id
            )
        answer = records.jsonable(
            {
                "id": record.id if keep else None,
                "created_at": record.created_at,
                "created_by": record.created_by,
                "filename": record.filename,
                "account_count": record.account_count,
                "org_count": record.org_count,
                "drift_count": record.drift_count,
                "drifts": list(record.drifts),
            }
        )
        if not keep:
            self.session.delete(record)  # printed, not kept
        return answer  # type: ignore[no-any-return]

"""Imports every domain's models so the metadata is complete (for Alembic).

It sits above every domain package (not in `db`, which every domain imports),
so gathering the tables makes no import cycle.
"""

from tenantree.alerts import models as alert_models  # noqa: F401
from tenantree.audit import models as audit_models  # noqa: F401
from tenantree.branding import models as branding_models  # noqa: F401
from tenantree.crm import models as crm_models  # noqa: F401
from tenantree.db.base import Base
from tenantree.domains import models as domain_models  # noqa: F401
from tenantree.identity import (
    integration_models,  # noqa: F401
    mfa_models,  # noqa: F401
    throttle_models,  # noqa: F401
)
from tenantree.identity import models as identity_models  # noqa: F401
from tenantree.identity import reset_models as password_reset_models  # noqa: F401
from tenantree.licensing import models as licensing_models  # noqa: F401
from tenantree.orgs import mfa_policy as org_mfa_policy_models  # noqa: F401
from tenantree.orgs import models as org_models  # noqa: F401
from tenantree.orgs import parentage as org_parentage_models  # noqa: F401
from tenantree.orgs import sub_org_access as sub_org_access_models  # noqa: F401
from tenantree.outbox import models as outbox_models  # noqa: F401
from tenantree.webhooks import models as webhook_models  # noqa: F401

# Installs the listener that turns audit events into webhook deliveries, in
# every process that has the complete metadata (server, CLI, tests).
from tenantree.webhooks import production  # noqa: E402, F401, I001

metadata = Base.metadata

"""The operations on the database, through the services, as the platform
operator on the server: the command's one unit of work (cli/context.py).

One class per area (local_people.py, local_settings.py) over what they share
(local_base.py); input goes through the API's own body schemas, so a value the
API refuses is refused here with the same field and rule.
"""

from __future__ import annotations

from tenantree.cli.local_alerts import AlertOperations
from tenantree.cli.local_brand_images import BrandImageOperations
from tenantree.cli.local_checks import CheckOperations
from tenantree.cli.local_crm import CrmOperations
from tenantree.cli.local_people import PeopleOperations
from tenantree.cli.local_settings import SettingsOperations


class LocalBackend(
    PeopleOperations,
    SettingsOperations,
    AlertOperations,
    CheckOperations,
    BrandImageOperations,
    CrmOperations,
):
    """Every operation of cli/backend.py's Backend, locally."""

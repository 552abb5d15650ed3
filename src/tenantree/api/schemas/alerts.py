from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from tenantree.alerts.rules import MAX_PERCENT, MAX_THRESHOLDS
from tenantree.api.schemas.common import StrictBody


class AlertOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    kind: Literal["expiry", "pool_use", "quota_use"]
    subject_id: uuid.UUID = Field(description="The license (expiry), pool or quota")
    sku: str
    threshold: int = Field(description="Days before the end (expiry) or percent of use")
    figures: dict[str, Any] = Field(
        description=(
            "The org's own figures at the crossing: a pool's quantity and use to its "
            "holder; a sub-org's quota and its own use (never its partner's pool)"
        )
    )
    raised_at: datetime
    cleared_at: datetime | None = Field(description="Use fell back below the threshold")
    acknowledged_at: datetime | None = Field(
        description="An admin of the org acknowledged it: off the banner, still listed"
    )
    acknowledged_by: uuid.UUID | None = Field(
        description="The account that acknowledged it (none when done from the server's CLI)"
    )


class AlertThresholdsBody(StrictBody):
    # The same bounds as alerts.rules.checked_percents, so the schema promises
    # what the service accepts.
    percents: list[Annotated[int, Field(ge=1, le=MAX_PERCENT)]] = Field(
        min_length=1,
        max_length=MAX_THRESHOLDS,
        description="Percents of a pool's quantity (and of each sub-org quota) that alert",
    )


class AlertThresholdsOut(BaseModel):
    percents: list[int]
    is_default: bool

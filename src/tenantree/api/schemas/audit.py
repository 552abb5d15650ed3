from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEventOut(BaseModel):
    id: uuid.UUID
    at: datetime
    action: str
    actor_id: uuid.UUID | None
    actor_org_id: uuid.UUID | None
    org_id: uuid.UUID | None
    target_type: str
    target_id: str | None
    request_id: str | None
    details: dict[str, Any]

    model_config = {"from_attributes": True}

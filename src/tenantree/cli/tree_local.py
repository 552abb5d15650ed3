"""The tree on the local database (treeplan.database), as the platform operator:
the audit events name the operator of --as-operator, or none (the system)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from tenantree.audit.service import AuditTrail
from tenantree.branding.config import BrandingConfig
from tenantree.cli.context import CLI_REQUEST_ID, _operator_id, fail
from tenantree.config import get_settings
from tenantree.db import make_engine, make_sessionmaker
from tenantree.errors import DomainError
from tenantree.identity.context import IdentityConfig
from tenantree.server.mail import make_outbox
from tenantree.treeplan.database import ApplyConfig, DatabaseTree


def _operator(sessions: sessionmaker[Session], email: str | None) -> uuid.UUID | None:
    """The operator named by --as-operator, checked before anything is read or applied."""
    if email is None:
        return None
    with sessions() as session:
        try:
            return _operator_id(session, email)
        except DomainError as exc:
            fail(exc.message)


@contextmanager
def database_tree(as_operator: str | None) -> Iterator[DatabaseTree]:
    settings = get_settings()
    config = ApplyConfig(
        IdentityConfig.from_settings(settings, make_outbox(settings)),
        BrandingConfig.from_settings(settings),
    )
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        operator_id = _operator(sessions, as_operator)

        def trail_for(session: Session) -> AuditTrail:
            trail = AuditTrail(session, None, request_id=CLI_REQUEST_ID)
            return trail if operator_id is None else trail.as_actor(operator_id, None)

        yield DatabaseTree(sessions, trail_for, config)
    finally:
        engine.dispose()

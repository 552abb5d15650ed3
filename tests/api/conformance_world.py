"""The conformance test's world: build_world, plus invitations, licenses and the
operator's token, under fixed ids (the schema config names them before the
world exists), built once per database and written again for each operation
and scenario, as tests/api/world_replay.py does for the isolation matrix.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from factories import build_world
from tenantree import clock
from tenantree.audit.service import AuditTrail
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import token_digest
from tenantree.identity.models import AccessToken, Invitation
from tenantree.identity.roles import Role
from tenantree.licensing.grants import grant_license
from tenantree.licensing.policies import OveragePolicy
from tenantree.models import metadata
from tenantree.orgs.kinds import MAX_DEPTH

Rows = dict[Table, list[dict[str, Any]]]

_NS = uuid.UUID("5f0c3a52-7d4e-4b8e-9a57-0c9e2b1d6a10")


def _fixed(kind: str, name: str) -> uuid.UUID:
    return uuid.uuid5(_NS, f"{kind}:{name}")


ORGS = ("P", "S", "T", "U")
ACTORS = ("P-PA", "P-A", "P-U", "P-RO", "P-X", "S-PA", "S-A", "S-U", "S-RO", "T-A", "U-A")
INVITED_ORGS = ("P", "S", "U")
OPERATOR_TOKEN = "conformance-operator-token"  # noqa: S105 - a test credential
INVITATION_TOKENS = {org: f"conformance-invitation-{org}" for org in INVITED_ORGS}

# Ids of real rows, known before the world exists so the schema config (built
# at import, when pytest collects) can name them.
ORG_IDS = [str(_fixed("org", name)) for name in ORGS]
USER_IDS = [str(_fixed("membership", actor)) for actor in ACTORS]
INVITATION_IDS = [str(_fixed("invitation", org)) for org in INVITED_ORGS]
LICENSED_ORGS = ("P", "U")
LICENSE_IDS = [str(_fixed("license", org)) for org in LICENSED_ORGS]
SKUS = ["monitoring-pro", "backup"]


def empty_tables(engine: Engine) -> None:
    # As conftest's `db` fixture does, for the stateful test's scenarios
    # (DELETE: a few rows each, far cheaper than PostgreSQL's TRUNCATE).
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as conn:
        for table in tables:
            if table.name == "orgs":  # sub-orgs point at their parent: deepest first
                for depth in range(MAX_DEPTH, 0, -1):
                    conn.execute(table.delete().where(table.c.depth == depth))
            conn.execute(table.delete())


def _built_rows(sessions: sessionmaker[Session], identity: IdentityConfig) -> Rows:
    """The world's rows, built and read back in a transaction that is rolled
    back, with the ids of its orgs, memberships, invitations and licenses
    replaced by the fixed ones above. Every uuid value goes through the same
    map, so references follow. The tables hold no rows before.
    """
    with sessions() as session:
        world = build_world(session, identity)
        orgs = {"P": world.P, "S": world.S, "T": world.T, "U": world.U}
        rename: dict[uuid.UUID, uuid.UUID] = {}
        for name, org in orgs.items():
            rename[org.id] = _fixed("org", name)
        for actor, membership in world.members.items():
            rename[membership.id] = _fixed("membership", actor)
        for name in INVITED_ORGS:
            invitation = Invitation(
                org_id=orgs[name].id,
                email=f"invitee-{name.lower()}@example.com",
                role=Role.USER,
                token_hash=token_digest(identity.secret_key, INVITATION_TOKENS[name]),
                expires_at=clock.utcnow() + timedelta(days=7),
            )
            session.add(invitation)
            session.flush()
            rename[invitation.id] = _fixed("invitation", name)
        for name in LICENSED_ORGS:
            license_ = grant_license(
                session,
                AuditTrail(session, None),
                orgs[name],
                sku=SKUS[0],
                unit="devices",
                quantity=100,
                starts_at=clock.utcnow() - timedelta(days=1),
                ends_at=clock.utcnow() + timedelta(days=365),
                overage_policy=OveragePolicy.BLOCK,
                salesforce_contract_id=None,
            )
            rename[license_.id] = _fixed("license", name)
        session.add(
            AccessToken(
                account_id=world.accounts["OP"].id,
                token_hash=token_digest(identity.secret_key, OPERATOR_TOKEN),
                expires_at=clock.utcnow() + timedelta(hours=2),
            )
        )
        session.flush()
        connection = session.connection()
        rows = {
            table: [dict(row) for row in connection.execute(select(table)).mappings()]
            for table in metadata.sorted_tables
        }
        session.rollback()

    # Rows come back in no set order (deleted rows' space is reused): parents first.
    orgs_table = metadata.tables["orgs"]
    rows[orgs_table] = sorted(rows[orgs_table], key=lambda row: row["depth"])
    return {
        table: [
            {k: rename.get(v, v) if isinstance(v, uuid.UUID) else v for k, v in row.items()}
            for row in table_rows
        ]
        for table, table_rows in rows.items()
        if table_rows
    }


class FixedWorld:
    """Built the first time per database; its rows written again after, each
    timestamp moved forward by the time since, so tokens, invitations and
    licenses are as fresh as a newly built world's (building cost ~10 times
    as much as writing the rows: ~140 worlds per database)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[datetime, Rows]] = {}

    def write(
        self, sessions: sessionmaker[Session], identity: IdentityConfig, engine: Engine
    ) -> None:
        url = engine.url.render_as_string(hide_password=False)
        if url not in self._kept:
            self._kept[url] = (clock.utcnow(), _built_rows(sessions, identity))
        built_at, rows = self._kept[url]
        by = clock.utcnow() - built_at
        with engine.begin() as conn:
            for table, table_rows in rows.items():
                conn.execute(
                    insert(table),
                    [
                        {k: v + by if isinstance(v, datetime) else v for k, v in row.items()}
                        for row in table_rows
                    ],
                )


def unrevoke_operator_token(engine: Engine, identity: IdentityConfig) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(AccessToken)
            .where(AccessToken.token_hash == token_digest(identity.secret_key, OPERATOR_TOKEN))
            .values(revoked_at=None)
        )

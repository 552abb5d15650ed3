"""The ACCESS.md world built once per database, and its rows written again per case.

The isolation matrix needs a fresh world in every case (a case changes it:
grants, tokens, licenses, refusals) and runs ~1,000 cases per backend, and
hundreds of other tests ask `factories.build_world` for one (through `WORLDS`).
`build_world_afresh` writes ~50 rows one flush at a time; writing the rows it wrote
the first time again is a handful of multi-row INSERTs. The rows are the same
(ids, hashes, tokens) with every timestamp moved forward by the time since the
first build, so tokens are as fresh as a newly built world's. The caller starts
from tables that hold none of the world's rows (the `db` fixture empties them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import Table, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from factories import World, build_world_afresh
from tenantree import clock
from tenantree.identity.context import IdentityConfig
from tenantree.identity.models import Account, Membership
from tenantree.models import metadata
from tenantree.orgs.models import Org

Rows = dict[Table, list[dict[str, Any]]]


def _rows(session: Session) -> Rows:
    connection = session.connection()
    return {
        table: [dict(row) for row in connection.execute(select(table)).mappings()]
        for table in metadata.sorted_tables
    }


def _key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[column.name] for column in table.primary_key.columns)


def _new_rows(before: Rows, after: Rows) -> Rows:
    new: Rows = {}
    for table, rows in after.items():
        old = {_key(table, row) for row in before[table]}
        new[table] = [row for row in rows if _key(table, row) not in old]
    return new


def _moved(row: dict[str, Any], by: timedelta) -> dict[str, Any]:
    return {k: v + by if isinstance(v, datetime) else v for k, v in row.items()}


@dataclass(frozen=True)
class _Kept:
    built_at: datetime
    rows: Rows
    orgs: dict[str, Any]  # "P", "S", "T", "U" -> org id
    members: dict[str, Any]  # actor -> membership id
    accounts: dict[str, Any]  # actor -> account id
    tokens: dict[str, str]
    # The enum a factory gave an attribute stored as a string (Membership.role):
    # a built world's objects hold the enum, objects read back the string.
    enums: dict[tuple[type, str], type[Enum]]

    @classmethod
    def of(cls, world: World, built_at: datetime, rows: Rows) -> _Kept:
        objects = [*(getattr(world, n) for n in "PSTU"), *world.members.values()]
        return cls(
            built_at=built_at,
            rows=rows,
            orgs={name: getattr(world, name).id for name in "PSTU"},
            members={actor: m.id for actor, m in world.members.items()},
            accounts={actor: a.id for actor, a in world.accounts.items()},
            tokens=dict(world.tokens),
            enums={
                (type(obj), name): type(value)
                for obj in [*objects, *world.accounts.values()]
                for name, value in inspect(obj).dict.items()
                if isinstance(value, Enum)
            },
        )

    def write(self, session: Session) -> World:
        by = clock.utcnow() - self.built_at
        for table, rows in self.rows.items():
            if not rows:
                continue
            if table.name == "orgs":  # a parent before its sub-orgs
                rows = sorted(rows, key=lambda row: row["depth"])
            session.execute(insert(table), [_moved(row, by) for row in rows])
        return self._load(session)

    def _load(self, session: Session) -> World:
        # One query per class (the identity map holds objects only while referenced).
        loaded: dict[Any, Any] = {}
        for model, ids in (
            (Org, self.orgs.values()),
            (Membership, self.members.values()),
            (Account, self.accounts.values()),
        ):
            key = inspect(model).primary_key[0]
            for obj in session.scalars(select(model).where(key.in_(list(ids)))):
                self._as_built(obj)
                loaded[obj.id] = obj
        return World(
            **{name: loaded[org_id] for name, org_id in self.orgs.items()},
            accounts={actor: loaded[i] for actor, i in self.accounts.items()},
            members={actor: loaded[i] for actor, i in self.members.items()},
            tokens=dict(self.tokens),
        )

    def _as_built(self, obj: object) -> None:
        for (model, name), enum in self.enums.items():
            if type(obj) is not model:
                continue
            value = getattr(obj, name)
            if value is not None and not isinstance(value, enum):
                set_committed_value(obj, name, enum(value))


class WorldReplay:
    """`build_world_afresh` the first time per database and variant, its rows after."""

    def __init__(self) -> None:
        self._kept: dict[tuple[Any, ...], _Kept] = {}

    def build(
        self,
        session: Session,
        identity: IdentityConfig,
        *,
        refuse_s: bool = False,
        customer_may_brand: bool = False,
    ) -> World:
        url = session.get_bind().engine.url.render_as_string(hide_password=False)
        # The rows hold what the identity config made: token digests and the
        # operator's sealed TOTP secret (its key), password hashes (its cost).
        hasher = identity.hasher
        made_by = (identity.secret_key, hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        key = (url, refuse_s, customer_may_brand, made_by)
        kept = self._kept.get(key)
        if kept is not None:
            return kept.write(session)
        before = _rows(session)
        built_at = clock.utcnow()
        world = build_world_afresh(
            session, identity, refuse_s=refuse_s, customer_may_brand=customer_may_brand
        )
        session.flush()
        self._kept[key] = _Kept.of(world, built_at, _new_rows(before, _rows(session)))
        return world


# The one every test's `build_world` goes through.
WORLDS = WorldReplay()

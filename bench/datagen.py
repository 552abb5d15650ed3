"""A partner-scale hierarchy, built in memory (deterministic) and bulk-inserted.

The same `World` feeds the database (SQLAlchemy Core `insert()` executemany)
and the in-memory decision benchmarks, so both measure the same data.
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from tenantree.identity.api_tokens import API_TOKEN_PREFIX, SERVICE_ACCOUNT_DOMAIN
from tenantree.identity.credentials import token_digest
from tenantree.identity.integration_models import ApiToken
from tenantree.identity.models import AccessToken, Account, Membership
from tenantree.licensing import history
from tenantree.licensing.models import (
    Consumption,
    License,
    LicensePool,
    UsageDaily,
    UsageSnapshot,
)
from tenantree.orgs.models import Org
from tenantree.orgs.salesforce import checksum_suffix
from tenantree.orgs.sub_org_access import SubOrgAccess, SubOrgPartnerUser

SECRET_KEY = "tenantree-bench-secret-key"  # noqa: S105 - a throwaway bench database
# Partner staff: (role, primary admin, suspended). Every partner has these five.
PARTNER_STAFF = [
    ("admin", True, False),
    ("admin", False, False),
    ("user", False, False),
    ("read_only", False, False),
    ("user", False, True),
]
SKUS_PER_PARTNER = 10


@dataclass(frozen=True)
class Spec:
    partners: int = 10
    sub_orgs_per_partner: int = 1000
    users: int = 100_000
    licenses_per_partner: int = 50
    history_days: int = 7
    refused_every: int = 20  # every 20th sub-org refuses its customer
    restricted_every: int = 25  # every 25th restricts partner users to a list
    suspended_every: int = 50  # every 50th customer entry is suspended
    tokens_per_kind: int = 20  # bearer tokens made for the HTTP benchmarks
    seed: int = 6
    # Lets several worlds share one database (distinct emails and Salesforce IDs).
    offset: int = 0

    @property
    def sub_orgs(self) -> int:
        return self.partners * self.sub_orgs_per_partner


@dataclass
class World:
    spec: Spec
    now: datetime
    rows: dict[str, list[dict]] = field(default_factory=dict)
    partner_ids: list[uuid.UUID] = field(default_factory=list)
    sub_org_ids: list[uuid.UUID] = field(default_factory=list)
    # Sample actors for the benchmarks: kind -> [(account id, token, org id)]
    samples: dict[str, list[tuple[uuid.UUID, str, uuid.UUID]]] = field(default_factory=dict)
    pool_ids: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)

    def count(self) -> int:
        return sum(len(v) for v in self.rows.values())


def _sfid(n: int) -> str:
    id15 = f"001B{n:011d}"
    return id15 + checksum_suffix(id15)


def build_world(spec: Spec, *, now: datetime | None = None) -> World:
    """Every row of the hierarchy, as plain dicts, from a seeded generator."""
    rng = random.Random(spec.seed * 1_000_003 + spec.offset)  # noqa: S311 - test data
    now = now or datetime.now(UTC).replace(microsecond=0)
    uid = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)  # noqa: E731
    w = World(spec, now)
    r = w.rows
    for name in [
        "orgs",
        "accounts",
        "memberships",
        "sub_org_access",
        "sub_org_partner_users",
        "access_tokens",
        "api_tokens",
        "licenses",
        "license_pools",
        "consumptions",
        "usage_daily",
        "usage_snapshots",
    ]:
        r[name] = []
    w.samples = {
        k: [] for k in ("partner_admin", "partner_user", "customer", "refused", "partner_admin_api")
    }
    # API tokens draw their ids from a generator of their own: the rest of the
    # world stays what it was before they were added.
    api_rng = random.Random(spec.seed * 1_000_003 + spec.offset + 1)  # noqa: S311 - test data
    created = now - timedelta(days=spec.history_days + 30)
    org_n = spec.offset
    acct_n = spec.offset

    def account() -> uuid.UUID:
        nonlocal acct_n
        acct_n += 1
        a = uid()
        r["accounts"].append(account_row(a, f"u{acct_n}@bench.example", f"User {acct_n}"))
        return a

    def account_row(a: uuid.UUID, email: str, display_name: str) -> dict:
        return dict(
            id=a,
            email=email,
            display_name=display_name,
            password_hash=None,
            is_operator=False,
            created_at=created,
        )

    def member(org_id, acct, role, primary=False, suspended=False, m=None) -> uuid.UUID:
        m = m or uid()
        r["memberships"].append(
            dict(
                id=m,
                org_id=org_id,
                account_id=acct,
                role=role,
                is_primary_admin=primary,
                status="suspended" if suspended else "active",
                external_id=None,
                created_at=created,
                updated_at=created,
            )
        )
        return m

    def token(kind: str, acct: uuid.UUID, org_id: uuid.UUID) -> None:
        if len(w.samples[kind]) >= spec.tokens_per_kind:
            return
        tok = f"bench-{kind}-{len(w.samples[kind])}-{acct.hex[:8]}"
        r["access_tokens"].append(
            dict(
                id=uid(),
                account_id=acct,
                token_hash=token_digest(SECRET_KEY, tok),
                created_at=created,
                expires_at=now + timedelta(days=365),
                revoked_at=None,
            )
        )
        w.samples[kind].append((acct, tok, org_id))

    def api_token(creator: uuid.UUID, org_id: uuid.UUID) -> None:
        """An admin API token made by `creator` in `org_id`, as identity.api_tokens
        makes one: a service account with one entry, the token bound to both."""
        kind = "partner_admin_api"
        if len(w.samples[kind]) >= spec.tokens_per_kind:
            return
        token_id, acct, m = (uuid.UUID(int=api_rng.getrandbits(128), version=4) for _ in range(3))
        name = f"bench token {len(w.samples[kind])}"
        r["accounts"].append(account_row(acct, f"{token_id}@{SERVICE_ACCOUNT_DOMAIN}", name))
        member(org_id, acct, "admin", m=m)
        tok = f"{API_TOKEN_PREFIX}bench-{len(w.samples[kind])}-{token_id.hex[:8]}"
        r["api_tokens"].append(
            dict(
                id=token_id,
                org_id=org_id,
                membership_id=m,
                account_id=acct,
                name=name,
                role="admin",
                token_hash=token_digest(SECRET_KEY, tok),
                created_by_account_id=creator,
                created_at=created,
                expires_at=now + timedelta(days=365),
            )
        )
        w.samples[kind].append((acct, tok, org_id))

    staff_total = spec.partners * len(PARTNER_STAFF)
    customer_users = max(0, spec.users - staff_total)
    per_sub = customer_users // max(1, spec.sub_orgs)
    extra = customer_users - per_sub * spec.sub_orgs
    skus = [f"SKU-{i:02d}" for i in range(SKUS_PER_PARTNER)]
    for p in range(spec.partners):
        org_n += 1
        pid = uid()
        psf = _sfid(org_n)
        r["orgs"].append(
            dict(
                id=pid,
                name=f"Partner {spec.offset + p:03d}",
                kind="partner",
                partner_type="msp",
                edition="pro",
                salesforce_id=psf,
                parent_id=None,
                depth=0,
                parent_depth=None,
                partner_salesforce_id=None,
                customer_name=None,
                status="active",
                created_at=created,
                updated_at=created,
            )
        )
        w.partner_ids.append(pid)
        staff = []
        for role, primary, suspended in PARTNER_STAFF:
            a = account()
            staff.append((member(pid, a, role, primary, suspended), a, role, primary, suspended))
        # Licenses: spread over the partner's SKUs; one pool per SKU.
        pools = {}
        for sku in skus:
            pools[sku] = uid()
            r["license_pools"].append(
                dict(id=pools[sku], holder_org_id=pid, sku=sku, unit="seat", used=0)
            )
        w.pool_ids[pid] = [pools[s] for s in skus]
        for i in range(spec.licenses_per_partner):
            sku = skus[i % len(skus)]
            r["licenses"].append(
                dict(
                    id=uid(),
                    holder_org_id=pid,
                    sku=sku,
                    unit="seat",
                    quantity=1_000_000,
                    starts_at=created,
                    ends_at=now + timedelta(days=365),
                    overage_policy="block",
                    salesforce_contract_id=None,
                    status="active",
                    created_at=created,
                    updated_at=created,
                )
            )
        used = dict.fromkeys(skus, 0)
        for s in range(spec.sub_orgs_per_partner):
            org_n += 1
            sid = uid()
            n = p * spec.sub_orgs_per_partner + s
            refused = spec.refused_every and n % spec.refused_every == spec.refused_every - 1
            restricted = (
                spec.restricted_every and n % spec.restricted_every == spec.restricted_every - 2
            )
            r["orgs"].append(
                dict(
                    id=sid,
                    name=f"Customer {p:03d}-{s:05d}",
                    kind="sub_org",
                    partner_type=None,
                    edition="standard",
                    salesforce_id=_sfid(org_n),
                    parent_id=pid,
                    depth=1,
                    parent_depth=0,
                    partner_salesforce_id=psf,
                    customer_name=f"Customer {n} Ltd",
                    status="active",
                    created_at=created,
                    updated_at=created,
                )
            )
            w.sub_org_ids.append(sid)
            r["sub_org_access"].append(
                dict(
                    org_id=sid,
                    customer_access="refused" if refused else "permitted",
                    partner_users_restricted=bool(restricted),
                    customer_may_brand=n % 3 == 0,
                    updated_at=created,
                )
            )
            if restricted:  # only the plain admin is listed (the primary admin always enters)
                r["sub_org_partner_users"].append(dict(sub_org_id=sid, membership_id=staff[1][0]))
            users_here = per_sub + (1 if n < extra else 0)
            for u in range(users_here):
                a = account()
                suspended = spec.suspended_every and (acct_n % spec.suspended_every == 0) and u
                role = "admin" if u == 0 else ("user" if u % 2 else "read_only")
                member(sid, a, role, primary=u == 0, suspended=bool(suspended))
                if u == 0:
                    token("refused" if refused else "customer", a, sid)
            # Usage: two SKUs per sub-org, with daily history.
            for k in range(2):
                sku = skus[(n + k) % len(skus)]
                units = 1 + (n * 7 + k) % 40
                used[sku] += units
                r["consumptions"].append(
                    dict(
                        id=uid(),
                        pool_id=pools[sku],
                        org_id=sid,
                        units=units,
                        updated_at=created,
                    )
                )
                for d in range(spec.history_days, -1, -1):
                    day_start = datetime.combine(
                        (now - timedelta(days=d)).date(), datetime.min.time(), tzinfo=UTC
                    )
                    at = day_start + timedelta(hours=9)
                    if at > now:
                        continue
                    r["usage_snapshots"].append(
                        dict(
                            id=uid(),
                            pool_id=pools[sku],
                            org_id=sid,
                            at=at,
                            units=units,
                            pool_used=0,
                            over_quantity=False,
                        )
                    )
                    r["usage_daily"].append(
                        dict(
                            id=uid(),
                            pool_id=pools[sku],
                            org_id=sid,
                            day=day_start.date(),
                            peak_units=units,
                            unit_seconds=units * 15 * 3600 if d else 0,
                            last_units=units,
                            last_at=at,
                            # Held from 09:00 to the day's end.
                            closing_unit_seconds=(units * 15 * 3600 if d else 0)
                            + units * 15 * 3600,
                            # The level held into the day: none before the first.
                            carried_units=units if d < spec.history_days else 0,
                        )
                    )
        for row in r["license_pools"]:
            if row["holder_org_id"] == pid:
                row["used"] = used[row["sku"]]
        for _m, a, _role, primary, suspended in staff:
            if not suspended:
                token("partner_admin" if primary else "partner_user", a, pid)
                if primary:
                    api_token(a, pid)
    return w


TABLES = [
    ("orgs", Org),
    ("accounts", Account),
    ("memberships", Membership),
    ("sub_org_access", SubOrgAccess),
    ("sub_org_partner_users", SubOrgPartnerUser),
    ("access_tokens", AccessToken),
    ("api_tokens", ApiToken),
    ("license_pools", LicensePool),
    ("licenses", License),
    ("consumptions", Consumption),
    ("usage_daily", UsageDaily),
    ("usage_snapshots", UsageSnapshot),
]


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, label: str, *, enabled: bool = True) -> None:
        self.total, self.label, self.done = max(1, total), label, 0
        self.enabled = enabled
        self.started = time.perf_counter()

    def advance(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        frac = min(1.0, self.done / self.total)
        bar = "#" * int(frac * 30)
        rate = self.done / max(1e-9, time.perf_counter() - self.started)
        sys.stderr.write(
            f"\r{self.label} [{bar:<30}] {frac:6.1%} {self.done:,}/{self.total:,} rows"
            f" {rate:,.0f} rows/s"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _chunks(rows: list[dict], size: int) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def insert_world(engine: Engine, world: World, *, progress: bool = True, chunk: int = 5000) -> None:
    """Bulk-insert the world: Core insert() executemany, one transaction per table."""
    bar = Progress(world.count(), "generate", enabled=progress)
    for name, model in TABLES:
        rows = world.rows[name]
        with engine.begin() as conn:
            for part in _chunks(rows, chunk):
                conn.execute(insert(model.__table__), part)
                bar.advance(len(part))
    bar.close()
    # The rollup rows were written directly, not through changes: the pools'
    # days (licensing.models.UsagePoolDaily, the forecasts' rows) summed from them.
    # A tree from before migration 0025 (an A/B side) has none.
    if hasattr(history, "sum_pool_days"):
        with Session(engine) as session, session.begin():
            history.sum_pool_days(session, None)
    # Planner statistics, as a live database has them (PostgreSQL's autovacuum
    # would gather them minutes later): without them PostgreSQL plans the
    # period report's rollup scan for 4 rows instead of 12,000 (ANALYSIS.md).
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))

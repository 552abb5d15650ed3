"""Access decisions: our `decide` vs pycasbin (RBAC with domains) vs a bare dict/set walk.

All three answer the same queries on the same hierarchy, in this process;
every answer is checked to agree before anything is timed. They are timed in
interleaved rounds and each ratio is the median of the per-round ratios, so a
change of the (shared) machine's load moves all three alike, not the ratio.
"""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from tenantree.access.explain import explain
from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    ROLE_GRANTS,
    Actor,
    MembershipFact,
    OrgFacts,
    decide,
    member_path,
    partner_path,
)
from tenantree.identity.models import Role
from tenantree.orgs.models import OrgKind

from .datagen import World

P = Permission
# pycasbin set up for speed the way its docs advise: a FastEnforcer, whose
# policy is indexed by the fields named in `cache_key_order` so that an
# enforce only evaluates the matcher on the `p` lines with the request's
# action (instead of on all of them). It needs that field at the same position
# in the request and in `p`, hence `act` second in both.
CASBIN_MODEL = """
[request_definition]
r = sub, act, dom

[policy_definition]
p = sub, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.act == p.act
"""


@dataclass
class Facts:
    orgs: dict[uuid.UUID, OrgFacts]
    actors: dict[uuid.UUID, Actor]


def world_facts(world: World) -> Facts:
    """The policy's facts, made from the world's rows the way access/facts.py makes them."""
    r = world.rows
    access = {a["org_id"]: a for a in r["sub_org_access"]}
    listed: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for row in r["sub_org_partner_users"]:
        listed[row["sub_org_id"]].add(row["membership_id"])
    orgs: dict[uuid.UUID, OrgFacts] = {}
    for o in r["orgs"]:
        a = access.get(o["id"])
        orgs[o["id"]] = OrgFacts(
            id=o["id"],
            kind=OrgKind(o["kind"]),
            parent_id=o["parent_id"],
            active=o["status"] == "active",
            customer_access_refused=a is not None and a["customer_access"] == "refused",
            partner_users=frozenset(listed[o["id"]])
            if a is not None and a["partner_users_restricted"]
            else None,
            customer_may_brand=a is not None and a["customer_may_brand"],
        )
    by_account: dict[uuid.UUID, dict[uuid.UUID, MembershipFact]] = defaultdict(dict)
    for m in r["memberships"]:
        by_account[m["account_id"]][m["org_id"]] = MembershipFact(
            membership_id=m["id"],
            org_id=m["org_id"],
            role=Role(m["role"]),
            is_primary_admin=m["is_primary_admin"],
            active=m["status"] == "active",
            org_active=orgs[m["org_id"]].active,
        )
    actors = {a: Actor(account_id=a, memberships=ms) for a, ms in by_account.items()}
    return Facts(orgs, actors)


Query = tuple[uuid.UUID, Permission, uuid.UUID]  # account, permission, org
MIX = {  # share of each kind of query in the mix
    "partner admin -> sub-org": 0.25,
    "partner user -> sub-org (some restricted)": 0.25,
    "customer -> own org": 0.2,
    "refused customer -> own org": 0.1,
    "customer -> sibling (invisible)": 0.1,
    "suspended user -> own org": 0.1,
}
READ_PERMS = [P.ORG_VIEW, P.ORG_USERS_READ, P.ORG_LICENSE_REPORT_READ, P.ORG_USAGE_REPORT]


def query_mix(world: World, facts: Facts, n: int, seed: int = 7) -> list[tuple[str, Query]]:
    rng = random.Random(seed)  # noqa: S311 - test data
    subs_of: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for sid in world.sub_org_ids:
        subs_of[facts.orgs[sid].parent_id].append(sid)  # type: ignore[index]
    staff: dict[str, list[tuple[uuid.UUID, uuid.UUID]]] = defaultdict(list)
    customers, refused, suspended = [], [], []
    for m in world.rows["memberships"]:
        org = facts.orgs[m["org_id"]]
        if org.kind == OrgKind.PARTNER:
            if m["status"] == "active":
                key = "admin" if m["is_primary_admin"] else "user"
                staff[key].append((m["account_id"], m["org_id"]))
        elif m["status"] == "suspended":
            suspended.append((m["account_id"], m["org_id"]))
        elif org.customer_access_refused:
            refused.append((m["account_id"], m["org_id"]))
        else:
            customers.append((m["account_id"], m["org_id"]))
    suspended = suspended or customers
    refused = refused or customers
    out: list[tuple[str, Query]] = []
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    for kind in rng.choices(kinds, weights, k=n):
        perm = rng.choice(READ_PERMS)
        if kind.startswith("partner"):
            acct, pid = rng.choice(staff["admin" if "admin" in kind else "user"])
            q = (acct, perm, rng.choice(subs_of[pid]))
        elif kind.startswith("customer -> own"):
            q = (*_pick(rng, customers, perm),)
        elif kind.startswith("refused"):
            q = (*_pick(rng, refused, perm),)
        elif kind.startswith("suspended"):
            q = (*_pick(rng, suspended, perm),)
        else:
            acct, oid = rng.choice(customers)
            siblings = subs_of[facts.orgs[oid].parent_id]  # type: ignore[index]
            other = rng.choice(siblings)
            q = (acct, perm, other if other != oid else siblings[0])
        out.append((kind, q))
    return out


def _pick(rng, entries, perm):
    acct, oid = rng.choice(entries)
    return acct, perm, oid


# --- pycasbin: the equivalent policy, flattened per domain --------------------


def _role_name(grants: frozenset[Permission]) -> str:
    return "role:" + "+".join(sorted(p.name.lower() for p in grants))


def casbin_policy(world: World, facts: Facts) -> tuple[list[list[str]], list[list[str]]]:
    """p and g lines: one role per distinct grant set; g per (user, role, domain).

    A blocked path (deactivated org, refused customer, suspended entry, a
    partner user not on a restricted sub-org's list) has no g line.
    """
    roles: dict[frozenset[Permission], str] = {}
    g: list[list[str]] = []
    subs_of: dict[uuid.UUID, list[OrgFacts]] = defaultdict(list)
    for o in facts.orgs.values():
        if o.parent_id is not None:
            subs_of[o.parent_id].append(o)
    for actor in facts.actors.values():
        for m in actor.memberships.values():
            org = facts.orgs[m.org_id]
            path = member_path(org, m)
            if path.block is None:
                name = roles.setdefault(path.permissions, _role_name(path.permissions))
                g.append([str(actor.account_id), name, str(org.id)])
            if org.kind == OrgKind.PARTNER:
                for sub in subs_of[org.id]:
                    pp = partner_path(sub, m)
                    if pp is not None and pp.block is None:
                        name = roles.setdefault(pp.permissions, _role_name(pp.permissions))
                        g.append([str(actor.account_id), name, str(sub.id)])
    p = [[name, perm.value] for grants, name in roles.items() for perm in sorted(grants)]
    return p, g


def casbin_enforcer(world: World, facts: Facts):
    import casbin

    p, g = casbin_policy(world, facts)
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "model.conf"
        model.write_text(CASBIN_MODEL)
        policy = Path(tmp) / "policy.csv"
        with policy.open("w") as f:
            for line in p:
                f.write("p, " + ", ".join(line) + "\n")
            for line in g:
                f.write("g, " + ", ".join(line) + "\n")
        enforcer = casbin.FastEnforcer(str(model), str(policy), cache_key_order=[1])  # act
    return enforcer, len(p), len(g)


# --- the floor: a bare walk over dicts and sets -------------------------------


def bare_walker(facts: Facts):
    """A closure answering allowed/denied with dict and set lookups only."""
    member_grants: dict[tuple, frozenset[Permission]] = {}
    partner_grants: dict[tuple, frozenset[Permission]] = {}
    for role in Role:
        for primary in (False, True):
            base = set(ROLE_GRANTS[role])
            pg = set(base) | ({P.ORG_ACCESS_MANAGE} if primary else set())
            partner_grants[(role, primary)] = frozenset(pg)
            for sub in (False, True):
                for brand in (False, True):
                    g = set(base)
                    if sub:
                        g.discard(P.ORG_QUOTAS_MANAGE)
                        if not brand:
                            g.discard(P.ORG_BRAND_MANAGE)
                    if primary:
                        g.add(P.ORG_PRIMARY_ADMIN_TRANSFER)
                    member_grants[(role, sub, brand, primary)] = frozenset(g)
    # org -> (parent, active, refused, listed-or-None, is_sub, may_brand)
    orgs = {
        o.id: (
            o.parent_id,
            o.active,
            o.customer_access_refused,
            o.partner_users,
            o.kind == OrgKind.SUB_ORG,
            o.customer_may_brand,
        )
        for o in facts.orgs.values()
    }
    mem = {
        (a.account_id, m.org_id): (m.membership_id, m.role, m.is_primary_admin, m.active)
        for a in facts.actors.values()
        for m in a.memberships.values()
    }

    def allowed(account: uuid.UUID, perm: Permission, org_id: uuid.UUID) -> bool:
        parent, active, refused, listed, sub, brand = orgs[org_id]
        if not active:
            return False
        m = mem.get((account, org_id))
        if (
            m is not None
            and m[3]
            and not (sub and refused)
            and perm in member_grants[(m[1], sub, brand, m[2])]
        ):
            return True
        if sub:
            pm = mem.get((account, parent))
            if (
                pm is not None
                and pm[3]
                and orgs[parent][1]
                and (listed is None or pm[2] or pm[0] in listed)
                and perm in partner_grants[(pm[1], pm[2])]
            ):
                return True
        return False

    return allowed


# --- running ------------------------------------------------------------------


@dataclass
class DecisionResult:
    sub_orgs: int
    users: int
    queries: int
    allowed_share: float
    ours_per_s: float
    casbin_per_s: float
    bare_per_s: float
    casbin_policy_lines: int
    casbin_load_s: float
    rounds: int
    # Medians of the per-round ratios (the rates above are medians of their own).
    vs_casbin: float  # ours ÷ pycasbin
    vs_bare: float  # bare ÷ ours
    # access.explain.explain on the same queries: the decision with its reasons,
    # built apart from decide (timed on its own, after the three above).
    explain_per_s: float = 0.0


def _interleaved_rates(runs: dict[str, tuple], rounds: int) -> dict[str, list[float]]:
    """Per name, its rate (items/s) in each round; every round times every run once.

    The order within a round alternates, so neither side is always first.
    """
    rates: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for i in range(rounds):
        for name in names if i % 2 == 0 else reversed(names):
            fn, items = runs[name]
            gc.collect()
            gc.disable()
            t = time.perf_counter()
            fn(items)
            dt = time.perf_counter() - t
            gc.enable()
            rates[name].append(len(items) / dt)
    return rates


def run(
    world: World, *, queries: int = 20_000, casbin_queries: int = 2_000, rounds: int = 5
) -> DecisionResult:
    facts = world_facts(world)
    mix = query_mix(world, facts, queries)
    qs = [q for _, q in mix]
    t = time.perf_counter()
    enforcer, np_, ng = casbin_enforcer(world, facts)
    load_s = time.perf_counter() - t
    bare = bare_walker(facts)
    actors, orgs = facts.actors, facts.orgs

    # Invariant: all three agree on every query (and the mix has both answers).
    # pycasbin is slow: it checks (and is timed on) the first `casbin_queries`.
    ours = [decide(actors[a], p, orgs[o]).allowed for a, p, o in qs]
    floor = [bare(a, p, o) for a, p, o in qs]
    theirs = [enforcer.enforce(str(a), p.value, str(o)) for a, p, o in qs[:casbin_queries]]
    theirs += floor[casbin_queries:]
    mismatch = [i for i in range(len(qs)) if not (ours[i] == theirs[i] == floor[i])]
    if mismatch:
        i = mismatch[0]
        raise AssertionError(
            f"{len(mismatch)} answers differ, e.g. {mix[i]}: ours={ours[i]} "
            f"casbin={theirs[i]} bare={floor[i]}"
        )
    share = sum(ours) / len(ours)
    assert 0 < share < 1, "the query mix must have both allowed and denied answers"

    prepared = [(actors[a], p, orgs[o]) for a, p, o in qs]
    casbin_qs = [(str(a), p.value, str(o)) for a, p, o in qs[:casbin_queries]]

    def run_ours(items):
        for actor, perm, org in items:
            decide(actor, perm, org)

    def run_casbin(items):
        enforce = enforcer.enforce
        for sub, act, dom in items:
            enforce(sub, act, dom)

    def run_bare(items):
        for a, p, o in items:
            bare(a, p, o)

    rates = _interleaved_rates(
        {"ours": (run_ours, prepared), "casbin": (run_casbin, casbin_qs), "bare": (run_bare, qs)},
        rounds,
    )
    explained = prepared[: max(1, len(prepared) // 4)]
    gc.collect()
    t = time.perf_counter()
    for actor, perm, org in explained:
        explain(actor, perm, org)
    explain_per_s = len(explained) / (time.perf_counter() - t)
    per_round = zip(rates["ours"], rates["casbin"], rates["bare"], strict=True)
    ratios = [(o / c, b / o) for o, c, b in per_round]
    return DecisionResult(
        sub_orgs=len(world.sub_org_ids),
        users=len(world.rows["accounts"]),
        queries=len(qs),
        allowed_share=share,
        ours_per_s=statistics.median(rates["ours"]),
        casbin_per_s=statistics.median(rates["casbin"]),
        bare_per_s=statistics.median(rates["bare"]),
        casbin_policy_lines=np_ + ng,
        casbin_load_s=load_s,
        rounds=rounds,
        vs_casbin=statistics.median(vs_casbin for vs_casbin, _ in ratios),
        vs_bare=statistics.median(vs_bare for _, vs_bare in ratios),
        explain_per_s=explain_per_s,
    )

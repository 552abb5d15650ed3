"""Side by side under wrk: the bare endpoint and tenantree from one or more source trees.

    python -m bench.compare_trees --db URL --samples FILE \\
        --tree before=/tmp/before --tree after=. [--rounds 3 --seconds 5]

A change is judged against the tree it changes: every server (the bare
endpoint, and one uvicorn process per tree, as bench/http.py serves them) is
up at once, and each round measures the bare endpoint and then each tree's
GET org and sub-orgs page, so each ratio is read within one round (on a
shared machine the load moves figures more than a change does). The minimal
peers (bench.minimal, and bench.minimal_async without the thread hop) are
loaded beside the bare endpoint in every round, and the peers and the trees
swap their order from round to round. `--samples`
is a JSON file {"url": database URL, "items": bench.http.plans' first
request of each plan}; `--build` writes it, generating the world first:

    python -m bench.compare_trees --build sqlite:////tmp/w/world.db --samples /tmp/w/s.json \
        --partners 2 --sub-orgs 300 --users 3000

When the trees' schemas differ, each tree is served its own copy of the
world, migrated by that tree: `--tree-db name=URL` (the bare endpoint and the
peers read the samples' database).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import ExitStack

from tenantree.db import make_engine, migrate

from .datagen import Spec, build_world, insert_world
from .http import (
    API_TOKEN_GET_ORG,
    MINIMAL,
    MINIMAL_ASYNC,
    minimal_path,
    peers_answer_alike,
    plans,
    serve,
    wrk_load,
)

TENANTREE = "tenantree.server.asgi:app"
PLANS = {
    "org": "GET /orgs/{id} (partner admin, a sub-org)",
    "page": "GET /orgs/{id}/sub-orgs?limit=50",
    "list": "GET /orgs?limit=50",
    "orgapi": API_TOKEN_GET_ORG,
}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.compare_trees", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--db", help="database URL (default: the samples file's)")
    p.add_argument("--samples", required=True)
    p.add_argument("--build", metavar="URL", help="generate the world there, write --samples")
    p.add_argument("--partners", type=int, default=2)
    p.add_argument("--sub-orgs", type=int, default=300, help="per partner")
    p.add_argument("--users", type=int, default=3000)
    p.add_argument("--tree", action="append", default=[], help="name=path of a source tree")
    p.add_argument("--tree-db", action="append", default=[],
                   help="name=URL: that tree's own database (a copy of the world migrated"
                   " by that tree, when the trees' schemas differ)")  # fmt: skip
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--only", default="org,page", help=f"of {','.join(PLANS)}")
    args = p.parse_args(argv)
    if args.build:
        world = build_world(Spec(partners=args.partners, sub_orgs_per_partner=args.sub_orgs,
                                 users=args.users))  # fmt: skip
        migrate.upgrade(args.build)
        insert_world(make_engine(args.build), world)
        firsts = {name: plan[0] for name, plan in plans(world).items()}
        with open(args.samples, "w") as f:
            json.dump({"url": args.build, "items": firsts}, f, indent=1)
        return
    with open(args.samples) as f:
        samples = json.load(f)
    db = args.db or samples["url"]
    items = {k: samples["items"][PLANS[k]] for k in args.only.split(",")}
    trees = dict(t.split("=", 1) for t in args.tree)
    tree_dbs = dict(t.split("=", 1) for t in args.tree_db)
    load = dict(concurrency=args.connections, seconds=args.seconds)
    with ExitStack() as stack:
        first_tree = next(iter(trees.values()))
        bare = _serve(stack, first_tree, "bench.bare:app", db, "/api/v1/bare")
        org_item = samples["items"][PLANS["org"]]
        minimal_item = {**org_item, "path": minimal_path(org_item["path"])}
        peers = {
            peer: _serve(stack, first_tree, app, db, "/openapi.json")
            for peer, app in (
                (MINIMAL, "bench.minimal:app"),
                (MINIMAL_ASYNC, "bench.minimal_async:app"),
            )
        }
        peers_answer_alike(peers.values(), minimal_item)
        bases = {
            name: _serve(stack, tree, TENANTREE, tree_dbs.get(name, db), "/healthz")
            for name, tree in trees.items()
        }
        print(f"load average at start {os.getloadavg()[0]:.1f}", flush=True)
        for r in range(args.rounds):
            b = wrk_load(bare, {"path": "/api/v1/bare"}, **load)
            assert b is not None, "wrk is not installed"
            line = [f"round {r}: bare {b['req_per_s']:.0f}/s p99 {b['p99_ms']:.1f} ms"]
            got = {}
            for peer, base in list(peers.items())[:: 1 if r % 2 == 0 else -1]:
                got[peer] = p = wrk_load(base, minimal_item, **load)
                assert p is not None
                line.append(
                    f"{peer} {p['req_per_s']:.0f}/s {p['req_per_s'] / b['req_per_s']:.2f}x"
                    f" p99 {p['p99_ms']:.1f} ms"
                )
            m = got[MINIMAL]
            line.append(
                f"async ÷ sync peer {got[MINIMAL_ASYNC]['req_per_s'] / m['req_per_s']:.2f}x"
            )
            # The trees take turns going first: a load that drifts within a round
            # favours neither.
            order = list(bases.items())
            for name, base in order if r % 2 == 0 else order[::-1]:
                for key, item in items.items():
                    o = wrk_load(base, item, **load)
                    assert o is not None
                    ratio = o["req_per_s"] / b["req_per_s"]
                    line.append(
                        f"{name} {key} {o['req_per_s']:.0f}/s {ratio:.2f}x"
                        f" ({o['req_per_s'] / m['req_per_s']:.2f}x peer)"
                        f" p99 {o['p99_ms']:.0f} ms ({o['p99_ms'] / b['p99_ms']:.1f}x)"
                    )
            print(" | ".join(line), f"| load {os.getloadavg()[0]:.1f}", flush=True)


def _serve(stack: ExitStack, tree: str, app: str, db: str, ready: str) -> str:
    # serve() starts uvicorn with our PYTHONPATH after bench's root: the tree's
    # src first, so that tree's tenantree is the one served.
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([os.path.join(tree, "src"), tree])
    try:
        return stack.enter_context(serve(app, db, ready))
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old


if __name__ == "__main__":
    main(sys.argv[1:])

"""Apply of an unchanged tree: a no-op, timed (issue 16: under 10 s at 1,000 sub-orgs).

    .venv/bin/python -m bench.tree_apply [--sub-orgs 1000] [--rounds 3] [--database-url URL]

Builds one MSP with N sub-orgs (bench.datagen, bulk-inserted: licenses,
refused customers, partner users restricted to a list), exports the tree
(treeplan.current), then times applying that export back: reading the file,
reading the database's tree, the diff, and the apply (which finds nothing to
do). In process, several rounds; then once as the real command,
`tenantree apply FILE`, interpreter start-up included. Prints the figures;
asserts nothing but that the apply changed nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tenantree.audit.service import AuditTrail
from tenantree.branding.config import BrandingConfig
from tenantree.config import Settings
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db import migrate as migrations
from tenantree.identity.context import IdentityConfig
from tenantree.outbox import MemoryBackend, Outbox
from tenantree.treeplan.apply import apply_diff
from tenantree.treeplan.current import read_tree
from tenantree.treeplan.database import ApplyConfig, DatabaseTree
from tenantree.treeplan.diff import diff_trees
from tenantree.treeplan.document import dump_tree, parse_tree

from .datagen import Spec, build_world, insert_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sub-orgs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tree-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'tree.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    spec = Spec(
        partners=1,
        sub_orgs_per_partner=args.sub_orgs,
        users=args.sub_orgs + 200,
        licenses_per_partner=10,
        history_days=1,
    )
    insert_world(engine, build_world(spec), progress=False)
    sessions = make_sessionmaker(engine)
    settings = Settings(database_url=url, secret_key="tree-bench", email_backend="memory")  # noqa: S106
    config = ApplyConfig(
        IdentityConfig.from_settings(settings, Outbox(MemoryBackend(), settings.email_from)),
        BrandingConfig.from_settings(settings),
    )

    started = time.perf_counter()
    with sessions() as session:
        text = dump_tree(read_tree(session))
    export_s = time.perf_counter() - started
    tree_file = workdir / "tree.yaml"
    tree_file.write_text(text, encoding="utf-8")
    print(f"tree: 1 partner, {args.sub_orgs} sub-orgs; file {len(text) / 1024:.0f} KiB")
    print(f"export: {export_s:.2f} s")

    for round_ in range(1, args.rounds + 1):
        started = time.perf_counter()
        desired = parse_tree(tree_file.read_text(encoding="utf-8"))
        parsed = time.perf_counter()
        with sessions() as session:
            diff = diff_trees(desired, read_tree(session))
        planned = time.perf_counter()
        store = DatabaseTree(sessions, lambda s: AuditTrail(s, None, request_id="bench"), config)
        result = apply_diff(store, diff)
        done = time.perf_counter()
        assert result.applied == [], "an unchanged tree must apply as a no-op"
        print(
            f"apply (in process), round {round_}: {done - started:.2f} s "
            f"(parse {parsed - started:.2f}, read+diff {planned - parsed:.2f}, "
            f"apply {done - planned:.2f})"
        )
    engine.dispose()

    env = {**os.environ, "TENANTREE_DATABASE_URL": url, "TENANTREE_SECRET_KEY": "tree-bench"}
    command = [str(Path(sys.executable).with_name("tenantree")), "apply", str(tree_file)]
    started = time.perf_counter()
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    elapsed = time.perf_counter() - started
    if run.returncode != 0 or "Applied: 0 orgs changed." not in run.stdout:
        raise SystemExit(f"tenantree apply failed:\n{run.stdout}\n{run.stderr}")
    print(f"tenantree apply {tree_file.name} (the command, start-up included): {elapsed:.2f} s")


if __name__ == "__main__":
    main()

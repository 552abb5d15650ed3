"""The served app (`tenantree.server.asgi:app`): its startup objects are kept out
of the garbage collector's full passes, and its collector runs at the served
process's thresholds (server/collector.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tenantree.server import collector


def _served_app_says(tmp_path: Path, probe: str) -> list[str]:
    """What `probe` prints in a fresh process that has imported the served app."""
    env = {
        **os.environ,
        "TENANTREE_DATABASE_URL": f"sqlite:///{tmp_path / 'entry.db'}",
        "TENANTREE_SECRET_KEY": "test-secret-key-for-the-entry-point",
    }
    code = "import gc\nimport tenantree.server.asgi\n" + probe
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()


def test_the_served_app_freezes_its_startup_objects_out_of_the_collector(
    tmp_path: Path,
) -> None:
    out = _served_app_says(tmp_path, "print(gc.get_freeze_count(), len(gc.get_objects()))\n")
    frozen, tracked = int(out[0]), int(out[1])
    # Nearly everything the app built is frozen; what the collector still walks
    # is a small remainder.
    assert frozen > 50_000
    assert tracked < frozen / 10


def test_the_served_app_collects_its_youngest_objects_at_the_served_threshold(
    tmp_path: Path,
) -> None:
    out = _served_app_says(tmp_path, "print(*gc.get_threshold())\n")
    # The policy's threshold, not CPython's default 700; the older
    # generations keep their defaults.
    assert [int(x) for x in out] == [collector.THRESHOLD, 10, 10]
    assert collector.THRESHOLD != 700

"""The served app (`tenantree.server.asgi:app`): its startup objects are kept out
of the garbage collector's full passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_served_app_freezes_its_startup_objects_out_of_the_collector(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "TENANTREE_DATABASE_URL": f"sqlite:///{tmp_path / 'entry.db'}",
        "TENANTREE_SECRET_KEY": "test-secret-key-for-the-entry-point",
    }
    probe = (
        "import gc\n"
        "import tenantree.server.asgi\n"
        "frozen = gc.get_freeze_count()\n"
        "print(frozen, len(gc.get_objects()))\n"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, tracked = int(out[0]), int(out[1])
    # Nearly everything the app built is frozen; what the collector still walks
    # is a small remainder.
    assert frozen > 50_000
    assert tracked < frozen / 10

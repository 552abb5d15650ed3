"""The command starts light: `tenantree --help` and remote commands load no
database or web framework (they are imported by the local commands that use them)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sqlalchemy", "fastapi", "alembic", "uvicorn", "starlette")

# Runs in a fresh interpreter: this test process has loaded everything already.
PROBE = """
import json, sys
from typer.testing import CliRunner
from tenantree.cli.main import app
args = json.loads(sys.argv[1])
result = CliRunner().invoke(app, args, env={"TENANTREE_TOKEN": "x"}) if args else None
print(json.dumps({
    "exit_code": result.exit_code if result else 0,
    "loaded": sorted(m for m in HEAVY if m in sys.modules),
}))
""".replace("HEAVY", repr(HEAVY))


def _probe(*args: str) -> dict[str, object]:
    run = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_importing_the_command_loads_no_database_or_web_code() -> None:
    assert _probe()["loaded"] == []


def test_help_loads_no_database_or_web_code() -> None:
    assert _probe("--help") == {"exit_code": 0, "loaded": []}


def test_a_remote_command_loads_no_database_or_web_code() -> None:
    # Nothing listens on port 9: the command fails (exit 1) after starting up.
    remote = ("--api-url", "http://127.0.0.1:9")
    assert _probe("orgs", "list", *remote) == {"exit_code": 1, "loaded": []}
    assert _probe("plan", "/dev/null", *remote) == {"exit_code": 1, "loaded": []}
    assert _probe("licenses", "list", "--org", "P", *remote) == {"exit_code": 1, "loaded": []}


def test_a_local_command_still_finds_what_it_needs() -> None:
    assert "sqlalchemy" in _probe("db", "check")["loaded"]

"""Running `tenantree …` in a test, in either mode, and reading what it printed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from factories import World
from tenantree.cli.main import app as cli_app


@dataclass
class Cli:
    """Runs `tenantree …` in one mode; remote commands act as `actor` (default the operator)."""

    mode: str
    world: World
    api_url: str | None

    def run(self, *args: str, actor: str = "OP", output: str | None = "json") -> Result:
        argv = list(args)
        if output is not None:
            argv += ["--output", output]
        env: dict[str, Any] = {}
        if self.mode == "remote":
            argv += ["--api-url", str(self.api_url)]
            env["TENANTREE_TOKEN"] = self.world.tokens[actor]
        return CliRunner().invoke(cli_app, argv, env=env, prog_name="tenantree")

    def ok(self, *args: str, **kwargs: Any) -> Any:
        """The command's JSON output; it must have succeeded."""
        result = self.run(*args, **kwargs)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout) if kwargs.get("output", "json") == "json" else result


def error_code(result: Result) -> str:
    """The API error code a refused command printed (`error: CODE: message`)."""
    line = result.stderr.strip().splitlines()[-1]
    return line.removeprefix("error: ").split(":", 1)[0]

"""Options several commands share, kept light: importing this loads no database
or web code (`tenantree --help` imports every command's options)."""

from __future__ import annotations

from typing import Annotated

import typer

AsOperator = Annotated[
    str | None,
    typer.Option(
        "--as-operator",
        metavar="EMAIL",
        help="Local mode: record this platform operator as the actor of the audit events "
        "(default: none, the system). Remotely the token's account is the actor.",
    ),
]

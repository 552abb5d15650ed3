"""What a change does with its pool's row locked: from the database function's
answer to the end of the COMMIT, timed and its statements counted.

`apply_usage_change` locks the pool's row (licensing.usage_function); the
lock is held until the unit of work's COMMIT. A cursor listener on the
consumers' engine notes when the function answered and counts the statements
after it, per thread (each consumer thread runs its own session).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

FUNCTION_CALL = "apply_usage_change("


class LockedWindow:
    """Per thread: when the function last answered and how many statements followed."""

    def __init__(self, engine: Engine) -> None:
        self._local = threading.local()
        event.listen(engine, "after_cursor_execute", self._after)

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        local = self._local
        if FUNCTION_CALL in statement:
            local.answered, local.statements = time.perf_counter(), 0
        elif getattr(local, "answered", None) is not None:
            local.statements += 1

    def start(self) -> None:
        """A new change: nothing locked yet."""
        self._local.answered = None

    def closed(self) -> tuple[float, int] | None:
        """After the COMMIT: seconds since the function answered and the
        statements run since (None: the function did not run)."""
        answered = getattr(self._local, "answered", None)
        if answered is None:
            return None
        self._local.answered = None
        return time.perf_counter() - answered, self._local.statements

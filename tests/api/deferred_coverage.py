"""Schemathesis's coverage cases, generated when an operation's test first runs
instead of when pytest collects it.

Schemathesis's pytest plugin builds every operation's Hypothesis test at
collection and attaches its coverage-phase cases (boundary values, each
constraint broken) to it as explicit examples: ~15 s of CPU for our ~100
operations, paid by every xdist worker before its first test, whatever it then
runs. `create_test` calls `add_coverage` last among the example decorators, and
`hypothesis.example` appends to a list Hypothesis reads only when the test runs,
so the same call made at the test's setup attaches the same cases in the same
order. One thing depends on the order: a probe with a method the document does
not declare for a path (`DELETE /api/v1/orgs`...) is sent once per path, by the
first of the path's operations whose cases are generated. So an operation's
cases are generated after those of the operations on its path collected before
it, in collection order, and each operation gets exactly the cases it got at
collection (compared case by case for every operation: bench/ANALYSIS.md,
round 9, "the test suite's time"). Each worker generates them once per
operation it runs (both databases' tests share the function), plus the earlier
operations of that path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemathesis.generation.hypothesis import builder
from schemathesis.schemas import APIOperation

_PENDING = "_tenantree_pending_coverage"
_add_coverage = builder.add_coverage
# Each path's operations' tests, in the order pytest collected them.
_BY_PATH: dict[str, list[Callable[..., Any]]] = {}


def _defer(
    test: Callable[..., Any], operation: APIOperation, *args: Any, **kwargs: Any
) -> Callable[..., Any]:
    def attach() -> Callable[..., Any]:
        return _add_coverage(test, operation, *args, **kwargs)

    setattr(test, _PENDING, (operation.path, attach))
    _BY_PATH.setdefault(operation.path, []).append(test)
    return test


def defer_coverage_cases() -> None:
    """Make schemathesis's `create_test` leave the coverage cases pending."""
    builder.add_coverage = _defer


def attach_pending_coverage_cases(test: Callable[..., Any]) -> None:
    """Attach the test's coverage cases, once (no-op when already attached)."""
    pending = test.__dict__.get(_PENDING)
    if pending is None:
        return
    path, _ = pending
    same_path = _BY_PATH[path]
    for earlier in same_path[: same_path.index(test) + 1]:
        earlier_pending = earlier.__dict__.pop(_PENDING, None)
        if earlier_pending is not None:
            # add_coverage decorates in place; a copy would lose the cases.
            assert earlier_pending[1]() is earlier

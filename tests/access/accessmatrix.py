"""Reads the access matrix tables of ../shared/ACCESS.md for the tests.

`load_matrix()` returns, per table, each row's action text mapped to
{actor column: cell}. `cases()` expands every cell into concrete cases: one
actor of `factories.build_world`, the world variant it needs, and the plain
outcome expected ("✓", "403", "404" or "401").

Anything the tests do not understand (a new table, column or kind of cell) is
an error here, so a change to ACCESS.md cannot be silently skipped. Unknown
rows are caught by the test modules, which must map or list every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The repo is cloned with ../shared beside it: tests/access/ -> tests/ -> repo -> its parent.
ACCESS_MD = Path(__file__).resolve().parents[3] / "shared" / "ACCESS.md"

SUB_ORG = "Sub-org S"
PARTNER = "Partner P"

COLUMNS: dict[str, tuple[str, ...]] = {
    SUB_ORG: (
        "OP",
        "P-PA",
        "P-A",
        "P-U",
        "P-RO",
        "P-X",
        "S-PA/S-A",
        "S-U",
        "S-RO",
        "S-refused",
        "T-A",
        "U-A",
        "anon",
    ),
    PARTNER: ("OP", "P-PA", "P-A", "P-U", "P-RO", "S-PA/S-A", "T-A", "U-A", "anon"),
}

ALLOWED, FORBIDDEN, INVISIBLE, ANONYMOUS = "✓", "403", "404", "401"
S_PA_ONLY = "S-PA only"
IF_CUSTOMER_MAY_BRAND = "✓ if `customer_may_brand`, else 403"
PLAIN_CELLS = {ALLOWED, FORBIDDEN, INVISIBLE, ANONYMOUS}
CELLS = PLAIN_CELLS | {S_PA_ONLY, IF_CUSTOMER_MAY_BRAND}

Matrix = dict[str, dict[str, dict[str, str]]]


class MatrixError(ValueError):
    """ACCESS.md says something the tests do not know how to check."""


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def load_matrix(path: Path = ACCESS_MD) -> Matrix:
    if not path.is_file():
        raise MatrixError(f"{path} not found: the tests expect ../shared beside the repo")
    matrix: Matrix = {}
    section = ""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("|") and _cells(line)[0] == "action":
            if section in matrix:
                raise MatrixError(f"ACCESS.md has two tables under {section!r}")
            # lines[i + 1] is the |---| line under the header.
            matrix[section] = _table(section, _cells(line)[1:], lines[i + 2 :])
    missing = set(COLUMNS) - set(matrix)
    if missing:
        raise MatrixError(f"ACCESS.md lost the table(s) {sorted(missing)}")
    return matrix


def _table(section: str, header: list[str], body: list[str]) -> dict[str, dict[str, str]]:
    if section not in COLUMNS:
        raise MatrixError(f"ACCESS.md has a table the tests do not know: {section!r}")
    if tuple(header) != COLUMNS[section]:
        raise MatrixError(
            f"the columns of {section!r} changed: {header}, the tests know {COLUMNS[section]}"
        )
    rows: dict[str, dict[str, str]] = {}
    for line in body:
        if not line.startswith("|"):
            break
        action, *cells = _cells(line)
        where = f"{section!r} row {action!r}"
        if len(cells) != len(header):
            raise MatrixError(f"{where} has {len(cells)} cells for {len(header)} columns")
        if action in rows:
            raise MatrixError(f"{where} appears twice")
        unknown = [c for c in cells if c not in CELLS]
        if unknown:
            raise MatrixError(f"{where} has cells the tests do not know: {unknown}")
        rows[action] = dict(zip(header, cells, strict=True))
    if not rows:
        raise MatrixError(f"{section!r} has no rows")
    return rows


@dataclass(frozen=True)
class Case:
    """One actor in one row, in the world variant the cell speaks of."""

    table: str
    action: str
    column: str
    actor: str  # a build_world actor name, or "anon"
    expected: str  # ALLOWED, FORBIDDEN, INVISIBLE or ANONYMOUS
    refuse_s: bool = False
    customer_may_brand: bool = False

    @property
    def row(self) -> tuple[str, str]:
        return (self.table, self.action)

    @property
    def label(self) -> str:
        label = "S-refused" if self.refuse_s else self.actor
        if self.column == "S-PA/S-A" and self.customer_may_brand:
            label += " (customer_may_brand)"
        return label

    @property
    def id(self) -> str:
        return f"{self.action}-{self.label}"


def expand(table: str, action: str, column: str, cell: str) -> list[Case]:
    def case(actor: str, expected: str, **variant: bool) -> Case:
        return Case(table, action, column, actor, expected, **variant)

    if column == "S-PA/S-A":
        if cell in PLAIN_CELLS:
            return [case("S-PA", cell), case("S-A", cell)]
        if cell == S_PA_ONLY:
            return [case("S-PA", ALLOWED), case("S-A", FORBIDDEN)]
        if cell == IF_CUSTOMER_MAY_BRAND:
            return [
                case(actor, outcome, customer_may_brand=may)
                for actor in ("S-PA", "S-A")
                for may, outcome in ((True, ALLOWED), (False, FORBIDDEN))
            ]
    elif cell in PLAIN_CELLS:
        if column == "S-refused":
            # "any S member": S-A stands for them (the policy tests cover every member).
            return [case("S-A", cell, refuse_s=True)]
        return [case(column, cell)]
    raise MatrixError(f"{table!r} row {action!r}: cannot read {cell!r} in column {column!r}")


def cases(matrix: Matrix, table: str | None = None) -> list[Case]:
    return [
        case
        for name, rows in matrix.items()
        if table in (None, name)
        for action, cells in rows.items()
        for column, cell in cells.items()
        for case in expand(name, action, column, cell)
    ]


def rows(matrix: Matrix) -> set[tuple[str, str]]:
    return {(table, action) for table, actions in matrix.items() for action in actions}

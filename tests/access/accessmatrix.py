"""Reads the access matrix tables of docs/ACCESS.md for the tests.

docs/ACCESS.md is the repository's copy of the shared ../shared/ACCESS.md, so
a clone alone runs the suite; it may add to the shared one (more actors or
rows), never differ on a shared cell (test_access_md_copy.py checks that).

`load_matrix()` returns, per table, each row's action text mapped to
{actor column: cell}. `cases()` expands every cell into concrete cases: one
actor of `factories.build_world`, the world variant it needs, and the plain
outcome expected ("✓", "403", "404" or "401").

`load_credentials()` reads the "## Credential kinds" table: for each
credential kind, what each actor's credential of that kind acts as.

Anything the tests do not understand (a new table, column or kind of cell) is
an error here, so a change to ACCESS.md cannot be silently skipped. Unknown
rows are caught by the test modules, which must map or list every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# tests/access/ -> tests/ -> the repository.
REPO = Path(__file__).resolve().parents[2]
ACCESS_MD = REPO / "docs" / "ACCESS.md"
# The shared product docs, when the repository is checked out beside them.
SHARED_ACCESS_MD = REPO.parent / "shared" / "ACCESS.md"

SUB_ORG = "Sub-org S"
PARTNER = "Partner P"

_OP_AND_P = ("OP", "P-PA", "P-A", "P-U", "P-RO", "P-X")
COLUMNS: dict[str, tuple[str, ...]] = {
    SUB_ORG: (*_OP_AND_P, "S-PA/S-A", "S-U", "S-RO", "S-refused", "T-A", "U-A", "anon"),
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


Tables = dict[str, tuple[tuple[str, ...], dict[str, dict[str, str]]]]


def read_tables(path: Path) -> Tables:
    """Every `| action | ... |` table of the file, by section: its actor
    columns and each row's cells, read as written (nothing checked but shape)."""
    if not path.is_file():
        raise MatrixError(f"{path} not found")
    tables: Tables = {}
    section = ""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("## ", "### ")):
            section = line.lstrip("#").strip()
        elif line.startswith("|") and _cells(line)[0] == "action":
            if section in tables:
                raise MatrixError(f"{path.name} has two tables under {section!r}")
            header = tuple(_cells(line)[1:])
            # lines[i + 1] is the |---| line under the header.
            tables[section] = (header, _rows(section, header, lines[i + 2 :]))
    return tables


def _rows(section: str, header: tuple[str, ...], body: list[str]) -> dict[str, dict[str, str]]:
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
        rows[action] = dict(zip(header, cells, strict=True))
    if not rows:
        raise MatrixError(f"{section!r} has no rows")
    return rows


def read_actors(path: Path, under: str = "Actors") -> set[str]:
    """The actors the file's "## Actors" table (or another section's) defines
    ("P-A / P-U" is two)."""
    actors: set[str] = set()
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif section == under and line.startswith("|"):
            name = _cells(line)[0]
            if name not in ("actor", "") and not set(name) <= set("-|"):
                actors.update(part.strip() for part in name.split("/"))
    return actors


def disagreements(shared: Path, copy: Path) -> list[str]:
    """Where `copy` fails to carry a row of `shared` with the same status for
    every actor `shared` names (the copy may add actors and rows)."""
    copied = read_tables(copy)
    found = []
    for section, (_, rows) in read_tables(shared).items():
        if section not in copied:
            found.append(f"table {section!r} is missing")
            continue
        copied_rows = copied[section][1]
        for action, cells in rows.items():
            if action not in copied_rows:
                found.append(f"{section!r} row {action!r} is missing")
                continue
            found.extend(
                f"{section!r} row {action!r}, {actor}: shared {cell!r}, "
                f"copy {copied_rows[action].get(actor, 'no such column')!r}"
                for actor, cell in cells.items()
                if copied_rows[action].get(actor) != cell
            )
    return found


def load_matrix(path: Path = ACCESS_MD) -> Matrix:
    """The tables the tests check, refusing what they would not know how to.

    A new actor column (in the copy or the shared file) must be defined under
    "## Actors" and then taught to the tests: added to COLUMNS and given a
    member in factories.build_world, with the cells it may take in `expand`.
    """
    if not path.is_file():
        raise MatrixError(f"{path} not found: the tests read the repository's docs/ACCESS.md")
    actors = read_actors(path)
    matrix: Matrix = {}
    for section, (header, rows) in read_tables(path).items():
        if section in TIER_COLUMNS:
            continue  # load_tier_matrix's
        if section not in COLUMNS:
            raise MatrixError(f"ACCESS.md has a table the tests do not know: {section!r}")
        undefined = [c for c in header for a in c.split("/") if a not in actors]
        if undefined:
            raise MatrixError(
                f"{section!r} has actor columns not defined under ## Actors: {undefined}"
            )
        if header != COLUMNS[section]:
            new = [c for c in header if c not in COLUMNS[section]]
            raise MatrixError(
                f"the columns of {section!r} changed: {list(header)}, the tests know "
                f"{COLUMNS[section]}"
                + (f"; teach them {new} (COLUMNS, build_world)" if new else "")
            )
        for action, cells in rows.items():
            unknown = [c for c in cells.values() if c not in CELLS]
            if unknown:
                raise MatrixError(
                    f"{section!r} row {action!r} has cells the tests do not know: {unknown}"
                )
        matrix[section] = rows
    missing = set(COLUMNS) - set(matrix)
    if missing:
        raise MatrixError(f"ACCESS.md lost the table(s) {sorted(missing)}")
    return matrix


# The three-tier tables ("## Three tiers"), over their own world
# (tests/api/tiers_world.py), with their own actors.
TIERS = "Three tiers"
TIER_CUSTOMER = "Tier-3 customer C"
TIER_PARTNER = "Tier-2 partner R"
_TIER_STAFF = ("OP", "D-PA", "D-A", "D-U", "R-PA", "R-A", "R-U")
TIER_COLUMNS: dict[str, tuple[str, ...]] = {
    TIER_CUSTOMER: (*_TIER_STAFF, "C-A", "C-U", "R2-A", "C2-A", "E-A", "anon"),
    TIER_PARTNER: (*_TIER_STAFF, "C-A", "R2-A", "E-A", "anon"),
}


def load_tier_matrix(path: Path = ACCESS_MD) -> Matrix:
    """The three-tier tables, each cell plain (✓, 403, 404 or 401), every actor
    defined under "## Three tiers"."""
    actors = read_actors(path, TIERS) | {"OP", "anon"}
    tables = read_tables(path)
    matrix: Matrix = {}
    for section, columns in TIER_COLUMNS.items():
        if section not in tables:
            raise MatrixError(f"ACCESS.md lost the table {section!r}")
        header, rows = tables[section]
        if header != columns:
            raise MatrixError(f"the columns of {section!r} are {list(header)}, not {columns}")
        undefined = [c for c in header if c not in actors]
        if undefined:
            raise MatrixError(f"{section!r} has actors not defined under {TIERS!r}: {undefined}")
        for action, cells in rows.items():
            unknown = [c for c in cells.values() if c not in PLAIN_CELLS]
            if unknown:
                raise MatrixError(f"{section!r} row {action!r} has cells not plain: {unknown}")
        matrix[section] = rows
    return matrix


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


CREDENTIALS = "Credential kinds"
PASSWORD, SSO, API_TOKEN, SCIM_TOKEN = "password session", "SSO session", "API token", "SCIM token"
KINDS = (PASSWORD, SSO, API_TOKEN, SCIM_TOKEN)
# Every actor of build_world but anon (who holds no credential).
CREDENTIAL_ACTORS = (*_OP_AND_P, "S-PA", "S-A", "S-U", "S-RO", "T-A", "U-A")
NO_SUCH_CREDENTIAL = "—"
# Cells other than an actor's name: cannot exist, not a credential of /api/v1,
# or the answer to making one.
CREDENTIAL_CELLS = {NO_SUCH_CREDENTIAL, ANONYMOUS, FORBIDDEN, INVISIBLE}

Credentials = dict[str, dict[str, str]]


def load_credentials(path: Path = ACCESS_MD) -> Credentials:
    """Per credential kind, per actor: the actor whose cells the credential
    gets on /api/v1, or a status (401: refused there; 403/404: the actor may
    not make one), or — (the actor cannot hold one)."""
    header, rows = _credentials_table(path)
    if header != CREDENTIAL_ACTORS:
        raise MatrixError(
            f"the columns of {CREDENTIALS!r} are {list(header)}, the tests know "
            f"{list(CREDENTIAL_ACTORS)}"
        )
    if tuple(rows) != KINDS:
        raise MatrixError(f"{CREDENTIALS!r} lists {list(rows)}, the tests know {list(KINDS)}")
    for kind, cells in rows.items():
        unknown = [c for c in cells.values() if c not in CREDENTIAL_CELLS | set(CREDENTIAL_ACTORS)]
        if unknown:
            raise MatrixError(
                f"{CREDENTIALS!r} row {kind!r} has cells the tests do not know: {unknown}"
            )
    return rows


def _credentials_table(path: Path) -> tuple[tuple[str, ...], dict[str, dict[str, str]]]:
    if not path.is_file():
        raise MatrixError(f"{path} not found")
    lines = path.read_text(encoding="utf-8").splitlines()
    section = ""
    for i, line in enumerate(lines):
        if line.startswith("## "):
            section = line[3:].strip()
        elif section == CREDENTIALS and line.startswith("|") and _cells(line)[0] == "credential":
            header = tuple(_cells(line)[1:])
            return header, _rows(section, header, lines[i + 2 :])
    raise MatrixError(f"{path.name} has no {CREDENTIALS!r} table")

"""Reading an export of Salesforce Accounts (a report's CSV or Data Loader's).

Headers vary with the tool and the user's choices: a report writes "Account
ID", "Account Name", "Parent Account ID"; Data Loader the API names "Id",
"Name", "ParentId". Both are read, case and spacing ignored; other columns are
ignored. A report export ends its rows with a blank line and a footer, so a
blank row ends the data. Rows are numbered as a spreadsheet shows them: the
header is row 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from tenantree.errors import Invalid
from tenantree.orgs.salesforce import InvalidSalesforceId, normalize_account_id

MAX_ROWS = 200_000

# Normalized header (lowercase, no spaces or underscores) -> our name.
HEADERS = {
    "accountid": "id",
    "id": "id",
    "accountname": "name",
    "name": "name",
    "parentaccountid": "parent_id",
    "parentid": "parent_id",
    "type": "type",
    "accounttype": "type",
    "ispartner": "is_partner",
    "partner": "is_partner",
    "partneraccount": "is_partner",
}
REQUIRED = ("id", "name")
_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"", "0", "false", "no", "n"}


class InvalidAccountsCsv(Invalid):
    code = "invalid_accounts_csv"


@dataclass(frozen=True)
class AccountRow:
    row: int
    account_id: str  # the 18-character form
    written_id: str  # as the file has it (15 or 18 characters)
    name: str
    parent_id: str | None  # the 18-character form
    type: str
    is_partner: bool | None  # None: the file has no partner column


def _problem(row: int, column: str, rule: str) -> InvalidAccountsCsv:
    return InvalidAccountsCsv(
        f'row {row}, column "{column}": {rule}',
        field="file",
        extra={"row": row, "column": column},
    )


def _columns(header: list[str]) -> dict[str, tuple[int, str]]:
    """Our name -> (index, the header as written), the first of each kind."""
    found: dict[str, tuple[int, str]] = {}
    for index, title in enumerate(header):
        key = HEADERS.get("".join(title.split()).replace("_", "").lower())
        if key and key not in found:
            found[key] = (index, title.strip())
    for key in REQUIRED:
        if key not in found:
            wanted = {"id": '"Account ID" or "Id"', "name": '"Account Name" or "Name"'}[key]
            raise InvalidAccountsCsv(f"row 1: no {wanted} column in the header", field="file")
    return found


def read_accounts(data: bytes) -> list[AccountRow]:
    """The accounts of a CSV export, or a 422 naming the row and column at fault."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidAccountsCsv("the file is not UTF-8 text", field="file") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidAccountsCsv("row 1: the file is empty", field="file")
        columns = _columns(header)
        accounts: list[AccountRow] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                break  # a report's footer follows a blank row
            if len(accounts) >= MAX_ROWS:
                raise InvalidAccountsCsv(f"more than {MAX_ROWS} accounts", field="file")
            accounts.append(_account(number, cells, columns))
    except csv.Error as exc:
        raise InvalidAccountsCsv(
            f"row {reader.line_num}: not valid CSV ({exc})", field="file"
        ) from exc
    return accounts


def _account(number: int, cells: list[str], columns: dict[str, tuple[int, str]]) -> AccountRow:
    def cell(key: str) -> str:
        index, _ = columns[key]
        return cells[index].strip() if index < len(cells) else ""

    def account_id(key: str) -> str:
        try:
            return normalize_account_id(cell(key))
        except InvalidSalesforceId as exc:
            raise _problem(number, columns[key][1], exc.message) from exc

    name = cell("name")
    if not name:
        raise _problem(number, columns["name"][1], "an account has a name")
    parent = account_id("parent_id") if "parent_id" in columns and cell("parent_id") else None
    return AccountRow(
        row=number,
        account_id=account_id("id"),
        written_id=cell("id"),
        name=name,
        parent_id=parent,
        type=cell("type") if "type" in columns else "",
        is_partner=_flag(number, cell, columns) if "is_partner" in columns else None,
    )


def _flag(number, cell, columns) -> bool:  # type: ignore[no-untyped-def]
    value = cell("is_partner").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _problem(number, columns["is_partner"][1], "a partner flag is true or false (or 1/0)")

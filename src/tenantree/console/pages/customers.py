"""A partner's customers at a glance: searchable, filterable, sortable, paged, as CSV.

The rows and which columns they carry come from the services
(`licensing.customers`, `access.policy.customer_columns`); the page only
shapes them. The CSV holds exactly what the page may show.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import Query, Request, Response

from tenantree.access.permissions import Permission as P
from tenantree.access.policy import CustomerColumns, customer_columns
from tenantree.access.service import visible_sub_org_ids
from tenantree.console.charts import sparkline
from tenantree.console.deps import OrgPage, ViewerDep
from tenantree.console.listing import Listing, direction
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import NotFound
from tenantree.licensing import customers
from tenantree.web.orgs import OrgRequest
from tenantree.web.routing import GatedRouter

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

PAGE_SIZE = 25
Text = Annotated[str, Query(max_length=200, pattern=r"^[^\x00]*$")]
Word = Annotated[str, Query(max_length=20)]


def _rows(
    target: OrgRequest, viewer: ViewerDep, query: customers.CustomerQuery
) -> tuple[list[customers.CustomerRow], CustomerColumns]:
    if not target.org.is_partner:
        raise NotFound("only a partner has customers", code="not_a_partner")
    columns = customer_columns(viewer.actor, target.target.loaded.facts)
    visible = visible_sub_org_ids(target.session, viewer.actor, target.org)
    rows = customers.customer_rows(target.session, target.org, columns, visible_ids=visible)
    rows = customers.filter_rows(rows, query)
    return customers.sort_rows(rows, query.sort, descending=query.descending), columns


@router.get("/orgs/{org_id}/customers")
def customers_page(
    request: Request,
    target: OrgPage(P.ORG_SUB_ORGS_READ),
    viewer: ViewerDep,
    q: Text = "",
    status: Word = "",
    access: Word = "",
    sort: Word = "name",
    dir: Word = "asc",  # noqa: A002 - the query parameter's name
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    query = customers.CustomerQuery(q, status, access, sort, direction(dir)).checked()
    rows, columns = _rows(target, viewer, query)
    action = f"/orgs/{target.org.id}/customers"
    listing = Listing(action, {"q": q, "status": status, "access": access}, sort, query.descending)
    if offset > 0:
        listing.previous = listing.href(offset=max(0, offset - PAGE_SIZE) or None)
    if offset + PAGE_SIZE < len(rows):
        listing.next = listing.href(offset=offset + PAGE_SIZE)
    shown = rows[offset : offset + PAGE_SIZE]
    return render(
        request,
        target.session,
        "customers.html",
        title=f"Customers of {target.org.name}",
        rows=shown,
        total=len(rows),
        first=offset + 1,
        columns=columns,
        listing=listing,
        q=q,
        status=status,
        access=access,
        statuses=customers.STATUS_FILTERS,
        accesses=customers.ACCESS_FILTERS,
        sparks={
            row.org_id: sparkline(row.trend, label=f"{row.name}, use per day") for row in shown
        },
        csv_href=listing.href(offset=None).replace(action, action + ".csv", 1),
    )


@router.get("/orgs/{org_id}/customers.csv")
def customers_csv(
    target: OrgPage(P.ORG_SUB_ORGS_READ),
    viewer: ViewerDep,
    q: Text = "",
    status: Word = "",
    access: Word = "",
    sort: Word = "name",
    dir: Word = "asc",  # noqa: A002 - the query parameter's name
) -> Response:
    query = customers.CustomerQuery(q, status, access, sort, direction(dir)).checked()
    rows, columns = _rows(target, viewer, query)
    return Response(
        content=customers_csv_text(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="customers-{target.org.id}.csv"'},
    )


def customers_csv_text(rows: list[customers.CustomerRow], columns: CustomerColumns) -> str:
    """One line per customer and SKU (one line without figures when it uses none)."""
    header = ["org_id", "org_name", "customer_name", "salesforce_id", "status"]
    if columns.access:
        header += ["access", "restricted_to"]
    if columns.users:
        header += ["users"]
    if columns.use:
        header += ["sku", "unit", "used", "quota", "pool_quantity", "share_of_pool"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        base: list[object] = [
            row.org_id,
            _cell(row.name),
            _cell(row.customer_name or ""),
            row.salesforce_id,
            row.status,
        ]
        if columns.access:
            base += [row.access_state, " ".join(row.restricted_to)]
        if columns.users:
            base += [row.users]
        if not columns.use:
            writer.writerow(base)
            continue
        for use in row.uses or [None]:
            if use is None:
                writer.writerow([*base, "", "", "", "", "", ""])
                continue
            share = f"{use.share:.4f}" if use.share is not None else ""
            writer.writerow(
                [
                    *base,
                    use.sku,
                    use.unit,
                    use.used,
                    "" if use.quota is None else use.quota,
                    "" if use.pool_quantity is None else use.pool_quantity,
                    share,
                ]
            )
    return out.getvalue()


def _cell(text: str) -> str:
    """A name a spreadsheet would run as a formula is kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

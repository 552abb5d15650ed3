"""The license usage report: tables, a chart per license, a period picker, CSV.

The same report functions and visibility rules as GET /license-report: a
sub-org's own admins get the child view (no partner pool figures at all).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated

from fastapi import Query, Request, Response

from tenantree import clock
from tenantree.access.permissions import Permission as P
from tenantree.access.service import visible_sub_org_ids
from tenantree.alerts.reports import child_report_with_forecasts, parent_report_with_forecasts
from tenantree.console.charts import brand_palette, colour, usage_chart
from tenantree.console.deps import OrgPage
from tenantree.console.render import brand_for, render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import Invalid
from tenantree.licensing import export, reports, series
from tenantree.web.orgs import OrgRequest, sees_pool_figures
from tenantree.web.routing import GatedRouter

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

Day = Annotated[str | None, Query(max_length=10)]
PRESETS = (7, 30, 90, 365)


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{field} must be a day written YYYY-MM-DD", field=field) from exc


def _period(first: str | None, last: str | None, days: int | None) -> reports.Period:
    today = clock.utcnow().date()
    if days is not None:
        return reports.Period(today - timedelta(days=days - 1), today)
    period = reports.period_between(_day(first, "from"), _day(last, "to"))
    return period or reports.Period(today - timedelta(days=29), today)


def _reports(target: OrgRequest, period: reports.Period):  # type: ignore[no-untyped-def]
    org = target.org
    if org.is_customer:
        return "child", child_report_with_forecasts(
            target.session,
            org,
            sees_pool_figures=sees_pool_figures(target),
            period=period,
        )
    return "parent", parent_report_with_forecasts(
        target.session,
        org,
        period=period,
        visible_child_ids=visible_sub_org_ids(target.session, target.target.actor, org),
    )


@router.get("/orgs/{org_id}/licenses")
def report_page(
    request: Request,
    target: OrgPage(P.ORG_LICENSE_REPORT_READ),
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    days: Annotated[int | None, Query(ge=1, le=731)] = None,
) -> Response:
    try:
        period, period_error = _period(first, last, days), None
    except Invalid as exc:
        # Shown beside the field, with what was typed; the default period meanwhile.
        period, period_error = _period(None, None, None), exc
    view, report = _reports(target, period)
    # Projections are drawn from today: a period ending earlier gets none.
    projects = period.last_day == clock.utcnow().date()
    brand = brand_for(request, target.session, target.org)
    palette = brand_palette(brand.primary_color, brand.accent_color)
    charts = []
    if view == "child":
        for item, chart in zip(
            report.items,
            series.child_charts(target.session, target.org, period.first_day, period.last_day),
            strict=False,
        ):
            if item.pool is not None:
                limit, label, run_out = (
                    item.pool.quantity,
                    "Licensed quantity",
                    item.pool_runs_out_on,
                )
            else:  # the org's own quota, never its partner's pool
                limit, label, run_out = item.quota, "Your quota", item.quota_runs_out_on
            svg = usage_chart(
                chart,
                quantity=limit,
                limit_label=label,
                run_out=run_out if projects else None,
                palette=palette,
            )
            charts.append((chart, svg, limit, run_out if projects else None, label))
    else:
        names = {c.org_id: c.org_name for c in report.children}
        pools = {pool.sku: pool for pool in report.pools}
        for chart in series.parent_charts(
            target.session, target.org, period.first_day, period.last_day, child_names=names
        ):
            pool = pools.get(chart.sku)
            quantity = pool.figures.quantity if pool is not None else None
            run_out = pool.runs_out_on if pool is not None and projects else None
            svg = usage_chart(chart, quantity=quantity, run_out=run_out, palette=palette)
            charts.append((chart, svg, quantity, run_out, "Licensed quantity"))
    query = f"from={period.first_day.isoformat()}&to={period.last_day.isoformat()}"
    return render(
        request,
        target.session,
        f"licenses_{view}.html",
        title=f"License usage of {target.org.name}",
        report=report,
        charts=charts,
        colour=lambda index: colour(index, palette),
        period=period,
        presets=PRESETS,
        csv_href=f"/orgs/{target.org.id}/license-report.csv?{query}",
        period_error=period_error,
        period_input={"from": first or "", "to": last or ""} if period_error else None,
        status_code=422 if period_error else 200,
    )


@router.get("/orgs/{org_id}/license-report.csv")
def report_csv(
    target: OrgPage(P.ORG_LICENSE_REPORT_READ),
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    """The API's CSV (export.*_csv), for the signed-in browser."""
    period = reports.period_between(_day(first, "from"), _day(last, "to"))
    view, report = _reports(target, period)  # type: ignore[arg-type]
    text = export.child_report_csv(report) if view == "child" else export.parent_report_csv(report)
    return _csv(text, target.org.id)


def _csv(text: str, org_id: uuid.UUID) -> Response:
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="license-report-{org_id}.csv"'},
    )

"""Server-side SVG charts: use per day, stacked per series, with an optional quantity line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from tenantree.licensing.series import SkuChart

# Distinguishable colours, each at least 3:1 against white.
PALETTE = (
    "#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490",
    "#4d7c0f", "#a21caf", "#c2410c", "#334155", "#15803d", "#9f1239",
)  # fmt: skip
WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 34


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
# Bars must stand out from the white page (WCAG's 3:1 for graphics).
MIN_CONTRAST = 3.0


def colour(index: int, palette: Sequence[str] = PALETTE) -> str:
    return palette[index % len(palette)]


def _luminance(hex_colour: str) -> float:
    def channel(part: str) -> float:
        c = int(part, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(hex_colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


def brand_palette(*brand_colours: str | None) -> tuple[str, ...]:
    """The brand's colours first (those that stand out on white), then the rest
    of the palette: a customer's charts wear its partner's colours."""
    first = [
        c.lower()
        for c in brand_colours
        if c and _HEX.match(c) and contrast_with_white(c) >= MIN_CONTRAST
    ]
    first = list(dict.fromkeys(first))
    return (*first, *(c for c in PALETTE if c not in first))


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def _projected_days(days: list[date], run_out: date | None, quantity: int | None) -> int:
    """Slots drawn after the last day for the projection: up to its run-out, at
    most a third of the period (a week at least), so the bars keep their room."""
    if run_out is None or quantity is None or not days or run_out <= days[-1]:
        return 0
    return min((run_out - days[-1]).days, max(7, len(days) // 3))


def usage_chart(
    chart: SkuChart,
    *,
    quantity: int | None = None,
    title: str = "",
    run_out: date | None = None,
    limit_label: str = "Licensed quantity",
    palette: Sequence[str] = PALETTE,
) -> Markup:
    """Bars of use per day, the quantity (or quota) as a dashed line, and, given
    its run-out day, the projected use as a dotted line rising to it."""
    days = chart.days
    ahead = _projected_days(days, run_out, quantity)
    n = max(1, len(days) + ahead)
    totals = [sum(s.values[i] for s in chart.series) for i in range(len(days))]
    peak = max([*totals, quantity or 0, 1])
    top = _nice_max(peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = plot_w / n

    def y(value: float) -> float:
        return TOP + plot_h - (value / top) * plot_h

    label = title or f"{chart.sku}: use per day"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f"aria-label={quoteattr(label)}>",
        f"<title>{escape(label)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        value = top * fraction
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#57606a">{value:g}</text>'
        )
    for index, series in enumerate(chart.series):
        parts.append(f'<g fill="{colour(index, palette)}"><title>{escape(series.label)}</title>')
        for i, value in enumerate(series.values):
            if value <= 0:
                continue
            below = sum(s.values[i] for s in chart.series[:index])
            x = LEFT + i * bar_w
            parts.append(
                f'<rect x="{x + bar_w * 0.1:.1f}" y="{y(below + value):.1f}" '
                f'width="{max(bar_w * 0.8, 0.5):.1f}" height="{(value / top) * plot_h:.1f}">'
                f"<title>{escape(series.label)}, {days[i].isoformat()}: {value}</title></rect>"
            )
        parts.append("</g>")
    if quantity is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(quantity):.1f}" '
            f'y2="{y(quantity):.1f}" stroke="#1f2328" stroke-width="2" stroke-dasharray="6 4">'
            f"<title>{escape(limit_label)}: {quantity}</title></line>"
        )
    if ahead and quantity is not None and run_out is not None:
        last = totals[-1]
        # A straight line from the last day's use to the limit on the run-out
        # day, cut at the chart's edge when that day is further off.
        reached = last + (quantity - last) * ahead / (run_out - days[-1]).days
        x_from = LEFT + (len(days) - 0.5) * bar_w
        x_to = LEFT + (len(days) - 0.5 + ahead) * bar_w
        parts.append(
            f'<line class="projection" x1="{x_from:.1f}" y1="{y(last):.1f}" x2="{x_to:.1f}" '
            f'y2="{y(reached):.1f}" stroke="#be123c" stroke-width="2" stroke-dasharray="2 3">'
            f"<title>Projected to reach {quantity} on {run_out.isoformat()}</title></line>"
        )
    if days:
        for i in sorted({0, len(days) // 2, len(days) - 1}):
            anchor = "start" if i == 0 else "end" if i == len(days) - 1 else "middle"
            x = LEFT + i * bar_w + (bar_w if anchor == "end" else 0)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}" font-size="11" '
                f'fill="#57606a">{days[i].isoformat()}</text>'
            )
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#57606a"/></svg>'
    )
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


SPARK_W, SPARK_H = 96, 24


def sparkline(values: list[int], *, label: str) -> Markup:
    """A small inline trend (no axes): the line's shape is the message; the
    label gives first, last and peak for screen readers and tooltips."""
    if not values:
        return Markup("")
    peak = max(max(values), 1)
    step = SPARK_W / max(1, len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{SPARK_H - 2 - (v / peak) * (SPARK_H - 4):.1f}"
        for i, v in enumerate(values)
    )
    said = f"{label}: {values[0]} to {values[-1]}, peak {max(values)}"
    return Markup(  # noqa: S704 - the only text is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" role="img" '
        f'viewBox="0 0 {SPARK_W} {SPARK_H}" width="{SPARK_W}" height="{SPARK_H}" '
        f"aria-label={quoteattr(said)}><title>{escape(said)}</title>"
        f'<polyline fill="none" stroke="var(--primary, #1d4ed8)" stroke-width="2" '
        f'points="{points}"/></svg>'
    )

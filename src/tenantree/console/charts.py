"""Server-side SVG charts: use per day, stacked per series, with an optional quantity line."""

from __future__ import annotations

import re
from collections.abc import Sequence
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


def usage_chart(
    chart: SkuChart,
    *,
    quantity: int | None = None,
    title: str = "",
    palette: Sequence[str] = PALETTE,
) -> Markup:
    days = chart.days
    n = max(1, len(days))
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
            f"<title>Licensed quantity: {quantity}</title></line>"
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

"""Colours: the "#rrggbb" form and the WCAG 2 contrast rules a brand must meet.

The console puts white labels on the primary colour (buttons, header), so it
must reach 4.5:1 against white (WCAG 2 AA, normal text). The accent colour
marks links and focus rings on the white page: 3:1 (AA, UI components).
"""

from __future__ import annotations

import math
import re

from tenantree.branding.errors import InsufficientContrast, InvalidBrand

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"

# field -> (minimum ratio against white, what the colour is used for)
CONTRAST_RULES: dict[str, tuple[float, str]] = {
    "primary_color": (
        4.5,
        "it is the background of buttons and headers with white labels, and WCAG 2 AA "
        "asks for at least 4.5:1 for text",
    ),
    "accent_color": (
        3.0,
        "it marks links and controls on the white page, and WCAG 2 AA asks for at least "
        "3:1 for interface components",
    ),
}


def normalize_color(value: str, *, field: str) -> str:
    if not HEX_COLOR.match(value):
        raise InvalidBrand(
            f"{field} must be a colour written #rrggbb (e.g. #1d4ed8), not {value[:20]!r}",
            field=field,
        )
    return value.lower()


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour (sRGB)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)


def check_contrast(color: str, *, field: str) -> None:
    minimum, why = CONTRAST_RULES[field]
    ratio = contrast_ratio(color, WHITE)
    if ratio < minimum:
        shown = math.floor(ratio * 100) / 100  # never round up to a passing value
        raise InsufficientContrast(
            f"{field} {color} has a contrast ratio of {shown:.2f}:1 against white; {why} "
            f"(choose a darker colour)",
            field=field,
            extra={"contrast_ratio": shown, "required_ratio": minimum},
        )

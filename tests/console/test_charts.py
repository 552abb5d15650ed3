"""Charts in the brand's colours, as long as the bars stand out on white."""

from __future__ import annotations

from tenantree.console.charts import PALETTE, brand_palette, contrast_with_white


def test_the_brands_colours_come_first() -> None:
    palette = brand_palette("#7C2D12", "#0f766e")
    assert palette[:2] == ("#7c2d12", "#0f766e")
    assert set(PALETTE) <= set(palette)


def test_a_colour_too_light_to_see_on_white_is_left_out() -> None:
    assert contrast_with_white("#fde68a") < 3
    assert brand_palette("#fde68a", None) == PALETTE


def test_no_brand_colours_leave_the_palette_as_it_is() -> None:
    assert brand_palette(None, "not a colour") == PALETTE

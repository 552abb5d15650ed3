"""The parent report's JSON body (export.json_body, orjson) is byte for byte
what Starlette's JSONResponse writes for the same dict: non-ASCII names as
UTF-8, no spaces, averages as Python writes floats, nulls and booleans."""

from __future__ import annotations

from starlette.responses import JSONResponse

from tenantree.licensing.export import json_body


def test_a_report_body_is_encoded_as_jsonresponse_encodes_it() -> None:
    body = {
        "view": "parent",
        "org_name": 'Müller & Søn — 東京 "quoted" \\ tab\t',
        "period": {"from": "2026-11-26", "to": "2026-12-02"},
        "deactivated": False,
        "pools": [
            {
                "quantity": 10_000_000_000,
                "runs_out_on": None,
                "children": [
                    {"period_use": {"peak": 3, "average": average}, "quota": None}
                    for average in (0.0, 0.1, 2.5, 1234.567, 1 / 3, 99999.999, 1e-3)
                ],
            }
        ],
    }
    assert json_body(body) == JSONResponse(body).body

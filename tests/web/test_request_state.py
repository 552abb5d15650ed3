"""What a request noted is read back as `request.state` has it, and a miss is the default."""

from __future__ import annotations

from starlette.requests import Request

from tenantree.web.request_state import noted


def _request(**scope: object) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [], **scope})


def test_a_noted_value_reads_back_as_request_state_has_it() -> None:
    request = _request()
    request.state.caller = "someone"
    assert noted(request, "caller") == "someone" == request.state.caller


def test_a_name_never_noted_is_the_default() -> None:
    request = _request()
    request.state.caller = "someone"
    assert noted(request, "form", {}) == {}
    assert noted(request, "unit_of_work") is None


def test_a_request_that_noted_nothing_yet_gives_the_default() -> None:
    assert noted(_request(), "work_refused", False) is False

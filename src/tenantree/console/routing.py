"""The console's route class: CSRF on every POST, errors as pages, sign-in redirects."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tenantree.console.deps import SignInRequired
from tenantree.console.render import render, services_of
from tenantree.errors import DomainError
from tenantree.identity.errors import MfaEnrolmentRequired
from tenantree.web.cookie_session import CSRF_FIELD, csrf_valid, end_session
from tenantree.web.request_state import noted
from tenantree.web.unit_of_work import UnitOfWorkRoute

log = logging.getLogger(__name__)
MAX_FORM_BYTES = 64 * 1024
# Image uploads: the branding service applies each kind's own, smaller limit.
MAX_UPLOAD_BYTES = 1024 * 1024
# Files posted by the console's script as the body: images, Salesforce exports.
UPLOAD_TYPES = frozenset({"image/png", "image/svg+xml", "text/csv"})
CSRF_HEADER = "x-csrf-token"
# Where a sign-in goes unless it was sent elsewhere: the org list, which sends
# someone who reaches one org only straight on to it (console.pages.orgs).
LANDING = "/orgs?landing=1"
# Where a session limited to enrolling a second factor is sent.
SECURITY_PAGE = "/account/security"


def _is_upload(request: Request) -> bool:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media in UPLOAD_TYPES


TITLES = {
    400: "Something is wrong with that request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    409: "That conflicts with the current state",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong",
}


def safe_back(value: str | None) -> str | None:
    """A same-site path to go back to, or None."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


def error_page(
    request: Request, status: int, message: str, code: str | None = None, *, fresh: bool = False
) -> Response:
    """An error as a page. `fresh`: no unit of work was opened, so the Host's brand may
    be looked up; otherwise the page wears the brand already resolved for this
    request (its session's work is over)."""
    form = noted(request, "form", {})

    def page(session: Session | None) -> Response:
        return render(
            request,
            session,
            "error.html",
            status_code=status,
            title=TITLES.get(status, "Something went wrong"),
            message=message,
            code=code,
            back=safe_back(form.get("back")),
        )

    if not fresh:
        return page(None)
    with services_of(request).sessions() as session:
        return page(session)


def _parse_form(request: Request, body: bytes) -> None:
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    lists: dict[str, list[str]] = {}
    for key, value in pairs:
        lists.setdefault(key, []).append(value)
    request.state.form = {k: v[-1] for k, v in lists.items()}
    request.state.form_lists = lists


class ConsoleRoute(UnitOfWorkRoute):
    """Its unit of work is finished (committed, or rolled back on an error) before
    an error becomes a page."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            if request.method == "POST":
                body = await request.body()
                upload = _is_upload(request)
                if len(body) > (MAX_UPLOAD_BYTES if upload else MAX_FORM_BYTES):
                    return await run_in_threadpool(
                        error_page, request, 413, "That form is too large."
                    )
                if upload:
                    # An image sent by the editor's script: the body is the file,
                    # the CSRF token comes in a header no other site can set.
                    request.state.form, request.state.form_lists = {}, {}
                    given = request.headers.get(CSRF_HEADER)
                else:
                    _parse_form(request, body)
                    given = request.state.form.get(CSRF_FIELD)
                secret = services_of(request).identity.secret_key
                if not csrf_valid(request, secret, given):
                    return await run_in_threadpool(
                        error_page,
                        request,
                        403,
                        "This form has expired or did not come from this site. "
                        "Reload the page and try again.",
                        "csrf_failed",
                        fresh=True,
                    )
            try:
                return await original(request)
            except SignInRequired:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                response = RedirectResponse(
                    "/sign-in?next=" + quote(target if request.method == "GET" else "/"), 303
                )
                end_session(request, response)
                return response
            except MfaEnrolmentRequired:
                return RedirectResponse(SECURITY_PAGE, 303)
            except DomainError as exc:
                return await run_in_threadpool(
                    error_page, request, exc.status, exc.message, exc.code
                )
            except RequestValidationError:
                return await run_in_threadpool(
                    error_page, request, 404, "There is no such page.", "not_found"
                )

        return handler

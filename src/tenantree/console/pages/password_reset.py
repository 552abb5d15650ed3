"""Forgot password: ask for a reset link by email, then choose a new password."""

from __future__ import annotations

from fastapi import Request, Response

from tenantree.console.deps import FormDep
from tenantree.console.render import render
from tenantree.console.routing import LANDING, ConsoleRoute
from tenantree.errors import DomainError, TooManyRequests
from tenantree.identity import password_reset
from tenantree.web.caller import anonymous_trail, client_address
from tenantree.web.routing import GatedRouter
from tenantree.web.services import ServicesDep
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

THROTTLED_MESSAGE = "Too many reset requests. Wait a while and try again."


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + "."


@router.get("/forgot-password")
def forgot_page(request: Request, session: SessionDep) -> Response:
    return render(request, session, "forgot_password.html", title="Forgot your password?")


@router.post("/forgot-password")
def forgot(request: Request, session: SessionDep, services: ServicesDep, form: FormDep) -> Response:
    email = form.get("email", "").strip()
    if not email or len(email) > 320 or "\x00" in email:
        return render(
            request,
            session,
            "forgot_password.html",
            status_code=422,
            title="Forgot your password?",
            error="Enter the email address you sign in with.",
            email=email[:320].replace("\x00", ""),
        )
    try:
        password_reset.request_password_reset(
            session,
            anonymous_trail(request, session),
            services.identity,
            email=email,
            client_address=client_address(request),
        )
    except TooManyRequests as exc:
        # The throttled attempt stays in the audit trail (the service keeps it).
        response = render(
            request,
            session,
            "forgot_password.html",
            status_code=429,
            title="Forgot your password?",
            error=THROTTLED_MESSAGE,
            email=email,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    # The same page whether the address has an account or not.
    return render(request, session, "forgot_password_sent.html", title="Check your email")


@router.get("/reset-password")
def reset_page(request: Request, session: SessionDep, token: str = "") -> Response:
    return render(
        request, session, "reset_password.html", title="Choose a new password", token=token
    )


@router.post("/reset-password")
def reset(request: Request, session: SessionDep, services: ServicesDep, form: FormDep) -> Response:
    token = form.get("token", "")
    password = form.get("password", "")

    def again(message: str, status_code: int = 422) -> Response:
        return render(
            request,
            session,
            "reset_password.html",
            status_code=status_code,
            title="Choose a new password",
            token=token,
            error=message,
        )

    if password != form.get("password_again", ""):
        return again("The two passwords are not the same.")
    try:
        account = password_reset.complete_password_reset(
            session,
            anonymous_trail(request, session),
            services.identity,
            token=token,
            password=password,
        )
    except DomainError as exc:
        return again(_sentence(exc.message), exc.status)
    return render(
        request,
        session,
        "sign_in.html",
        title="Sign in",
        notice="Your password was changed. Sign in with your new password.",
        email=account.email,
        next=LANDING,
    )

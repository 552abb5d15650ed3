"""The web console: server-rendered pages over the same services and policy as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install_console(app: FastAPI) -> None:
    """Add the console's pages under / and its assets under /static; addresses no
    route answers get console pages (the API's handlers must be installed first)."""
    from tenantree.console.error_pages import install_error_pages
    from tenantree.console.pages import (
        access,
        alerts,
        audit,
        auth,
        branding,
        confirm,
        crm,
        customers,
        domains,
        email_confirmation,
        invitations,
        licenses,
        mfa,
        operator,
        orgs,
        password_reset,
        security,
        settings,
        sso,
        tokens,
        users,
        webhooks,
        why,
    )

    for module in (
        auth,
        mfa,
        security,
        password_reset,
        email_confirmation,
        orgs,
        invitations,
        customers,
        users,
        confirm,
        why,
        access,
        licenses,
        operator,
        crm,
        branding,
        domains,
        webhooks,
        settings,
        sso,
        tokens,
        alerts,
        audit,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_pages(app)

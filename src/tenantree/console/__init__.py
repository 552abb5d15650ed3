"""The web console: server-rendered pages over the same services and policy as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install_console(app: FastAPI) -> None:
    """Add the console's pages under / and its assets under /static."""
    from tenantree.console.pages import (
        access,
        audit,
        auth,
        branding,
        crm,
        domains,
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
        why,
    )

    for module in (
        auth,
        mfa,
        security,
        password_reset,
        orgs,
        users,
        why,
        access,
        licenses,
        operator,
        crm,
        branding,
        domains,
        settings,
        sso,
        tokens,
        audit,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

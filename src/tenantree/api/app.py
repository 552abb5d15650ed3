"""The API's part of the app: its routers (and the SSO browser endpoints) and error mapping."""

from __future__ import annotations

from fastapi import FastAPI

from tenantree.api.errors import install_error_handlers
from tenantree.api.routes import (
    access,
    alerts,
    api_tokens,
    audit,
    auth,
    branding,
    crm,
    domains,
    email_confirmation,
    invitations,
    licensing,
    mfa,
    mfa_policy,
    orgs,
    password_reset,
    public,
    scim_tokens,
    sso,
    users,
    webhooks,
)


def install_api(app: FastAPI) -> None:
    """Add the API's routes under /api/v1, the SSO browser flow under /sso, and the
    mapping of errors to JSON answers (the console and SCIM answer theirs themselves)."""
    install_error_handlers(app)
    # FastAPI asks the routers in this order on every request: the orgs
    # routes (most requests) first. Nothing else rides on the order: no route
    # is hidden by one asked before it (tests/api/test_app.py).
    for module in (
        orgs,
        auth,
        mfa,
        password_reset,
        email_confirmation,
        users,
        invitations,
        access,
        mfa_policy,
        licensing,
        alerts,
        audit,
        branding,
        crm,
        domains,
        public,
        api_tokens,
        scim_tokens,
        sso,
        webhooks,
    ):
        app.include_router(module.router)
    app.include_router(sso.browser)

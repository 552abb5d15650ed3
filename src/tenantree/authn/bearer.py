"""Bearer tokens other than password sessions, told apart by their prefix."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tenantree.access.policy import Actor
from tenantree.authn.api_tokens import authenticate_api_token
from tenantree.identity.accounts import AccountSummary
from tenantree.identity.api_tokens import API_TOKEN_PREFIX
from tenantree.identity.context import IdentityConfig
from tenantree.sso.sessions import SSO_SESSION_PREFIX, authenticate_sso_session

PREFIXES = (API_TOKEN_PREFIX, SSO_SESSION_PREFIX)


def authenticate_prefixed(
    session: Session, config: IdentityConfig, token: str
) -> tuple[AccountSummary, Actor]:
    if token.startswith(SSO_SESSION_PREFIX):
        return authenticate_sso_session(session, config, token)
    return authenticate_api_token(session, config, token)

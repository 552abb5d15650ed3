"""The console's cookie session and CSRF tokens (also started by the SSO callback).

The session cookie holds an opaque token issued by authn.signin, exactly the
API's bearer token, so signing out, suspension and revocation end a console
session as they end an API one. Forms carry a CSRF token derived with HMAC
from the secret key and the session token (or, before sign-in, a random
pre-session nonce kept in its own cookie).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from fastapi import Request, Response

from tenantree.web.request_state import noted

SESSION_COOKIE = "tenantree_session"
PRE_SESSION_COOKIE = "tenantree_presession"
CSRF_FIELD = "csrf_token"


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def _basis(request: Request) -> str | None:
    """What the CSRF token of this request is bound to."""
    token = session_token(request)
    if token:
        return "session:" + token
    nonce = noted(request, "new_pre_session") or request.cookies.get(PRE_SESSION_COOKIE)
    return "pre:" + nonce if nonce else None


def csrf_token(request: Request, secret_key: str) -> str:
    """The token forms on this page carry; starts a pre-session when there is none."""
    basis = _basis(request)
    if basis is None:
        request.state.new_pre_session = secrets.token_urlsafe(32)
        basis = "pre:" + request.state.new_pre_session
    return hmac.new(secret_key.encode(), b"csrf|" + basis.encode(), hashlib.sha256).hexdigest()


def csrf_valid(request: Request, secret_key: str, given: str | None) -> bool:
    if not given or _basis(request) is None:
        return False
    return hmac.compare_digest(csrf_token(request, secret_key), given)


def finish(request: Request, response: Response) -> Response:
    """Set the pre-session cookie when this page started one."""
    nonce = noted(request, "new_pre_session")
    if nonce:
        response.set_cookie(
            PRE_SESSION_COOKIE,
            nonce,
            httponly=True,
            samesite="lax",
            secure=is_https(request),
            path="/",
        )
    return response


def start_session(request: Request, response: Response, token: str, expires_at: datetime) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        expires=expires_at,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    response.delete_cookie(PRE_SESSION_COOKIE, path="/")


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request)
    )

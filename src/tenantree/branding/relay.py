"""An org's own SMTP relay, and which relay an org's email goes through.

The password is encrypted at rest with Fernet under a key derived (HKDF) from
the server's secret key; it is decrypted only when the outbox sends (the queued
message names the relay's org, not its secret), and no API answer ever contains
it. Delivery falls back org -> partner -> platform.
"""

from __future__ import annotations

import base64
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.branding import hostnames
from tenantree.branding.errors import InvalidBrand, InvalidSmtpRelay
from tenantree.branding.fields import Level
from tenantree.branding.models import SmtpRelay
from tenantree.orgs.models import Org
from tenantree.outbox import RelayUnavailable, SmtpServer

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"tenantree", info=b"smtp-relay-password"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_password(secret_key: str, password: str) -> str:
    return _fernet(secret_key).encrypt(password.encode()).decode("ascii")


def decrypt_password(secret_key: str, token: str) -> str:
    return _fernet(secret_key).decrypt(token.encode("ascii")).decode()


@dataclass(frozen=True)
class RelaySettings:
    """A relay as the API shows it: everything but the password."""

    host: str
    port: int
    starttls: bool
    username: str | None
    password_set: bool
    updated_at: datetime


def describe(relay: SmtpRelay) -> RelaySettings:
    return RelaySettings(
        relay.host,
        relay.port,
        relay.starttls,
        relay.username,
        relay.password_encrypted is not None,
        relay.updated_at,
    )


def get_relay(session: Session, org_id: uuid.UUID) -> SmtpRelay | None:
    return session.get(SmtpRelay, org_id)


# `password` left out of set_relay: keep the stored one.
KEEP_PASSWORD: Any = object()


def set_relay(
    session: Session,
    trail: AuditTrail,
    org: Org,
    *,
    secret_key: str,
    allow_private_hosts: bool,
    host: str,
    port: int,
    starttls: bool,
    username: str | None,
    password: str | None = KEEP_PASSWORD,
) -> SmtpRelay:
    """Replace the org's relay. `password` left out keeps the stored one."""
    try:
        host = hostnames.relay_host(host, allow_private=allow_private_hosts)
    except InvalidBrand as exc:
        raise InvalidSmtpRelay(exc.message, field="host") from exc
    if not 1 <= port <= 65535:
        raise InvalidSmtpRelay("port must be between 1 and 65535", field="port")
    username = username.strip() if username else None
    relay = get_relay(session, org.id)
    if password is KEEP_PASSWORD:
        if relay is not None and username and relay.username != username:
            raise InvalidSmtpRelay("a new username needs its password", field="password")
        encrypted = relay.password_encrypted if relay is not None and username else None
    elif password:
        encrypted = encrypt_password(secret_key, password)
    else:
        encrypted = None
    if (username is None) != (encrypted is None):
        raise InvalidSmtpRelay(
            "give both username and password, or neither",
            field="password" if username else "username",
        )
    if username is not None and not starttls:
        raise InvalidSmtpRelay(
            "credentials are sent only over an encrypted connection: set starttls to true",
            field="starttls",
        )
    before = describe(relay) if relay is not None else None
    if relay is None:
        relay = SmtpRelay(org_id=org.id)
        session.add(relay)
    password_changed = relay.password_encrypted != encrypted
    relay.host, relay.port, relay.starttls = host, port, starttls
    relay.username, relay.password_encrypted = username, encrypted
    relay.updated_at = clock.utcnow()
    relay.updated_by = trail.actor_id
    session.flush()
    after = describe(relay)
    trail.record(
        AuditAction.BRAND_SMTP_RELAY_SET,
        org_id=org.id,
        target_type="smtp_relay",
        target_id=org.id,
        before=_audited(before),
        after=_audited(after),
        password_changed=password_changed,
    )
    return relay


def _audited(settings: RelaySettings | None) -> dict[str, object] | None:
    if settings is None:
        return None
    return {
        "host": settings.host,
        "port": settings.port,
        "starttls": settings.starttls,
        "username": settings.username,
        "password_set": settings.password_set,
    }


def remove_relay(session: Session, trail: AuditTrail, org: Org) -> bool:
    relay = get_relay(session, org.id)
    if relay is None:
        return False
    before = describe(relay)
    session.delete(relay)
    session.flush()
    trail.record(
        AuditAction.BRAND_SMTP_RELAY_REMOVED,
        org_id=org.id,
        target_type="smtp_relay",
        target_id=org.id,
        before=_audited(before),
    )
    return True


def effective_relay(session: Session, org: Org) -> tuple[Level, SmtpRelay | None]:
    """The relay the org's email goes through, and whose it is."""
    own = get_relay(session, org.id)
    if own is not None:
        return Level.ORG, own
    if org.parent_id is not None:
        parent = get_relay(session, org.parent_id)
        if parent is not None:
            return Level.PARTNER, parent
    return Level.PLATFORM, None


def _usable(relay: SmtpRelay, secret_key: str) -> SmtpServer | None:
    """The relay as the outbox connects to it; None if its password cannot be read."""
    password = None
    if relay.password_encrypted is not None:
        try:
            password = decrypt_password(secret_key, relay.password_encrypted)
        except InvalidToken:
            # The secret key changed since the password was stored: this
            # relay cannot sign in, and must not be used unauthenticated.
            log.error("the SMTP relay password of org %s cannot be decrypted", relay.org_id)
            return None
    return SmtpServer(relay.host, relay.port, relay.starttls, relay.username, password)


def relay_org_for_delivery(session: Session, org: Org, secret_key: str) -> uuid.UUID | None:
    """Whose relay the org's email goes through: the org's, else its partner's (None: the
    platform's backend). The outbox stores this org id, never the relay's secret."""
    for candidate in (org.id, org.parent_id):
        relay = get_relay(session, candidate) if candidate is not None else None
        if relay is not None and _usable(relay, secret_key) is not None:
            return candidate
    return None


def relay_server(session: Session, org_id: uuid.UUID, secret_key: str) -> SmtpServer:
    """The org's relay at send time (the outbox's RelayLookup)."""
    relay = get_relay(session, org_id)
    if relay is None:
        raise RelayUnavailable(f"the SMTP relay of org {org_id} was removed")
    server = _usable(relay, secret_key)
    if server is None:
        raise RelayUnavailable(f"the SMTP relay password of org {org_id} cannot be decrypted")
    return server

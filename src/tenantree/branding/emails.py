"""Emails in an org's brand: Jinja2 templates (package data), resolved published brand,
sender and relay of the org (falling back to its partner's, then the platform's).

Each template comes as NAME.txt (plain text) and NAME.html (autoescaped); both
go out as one multipart/alternative message through the outbox.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from tenantree.branding.domains import verified_hostnames
from tenantree.branding.fields import BrandValues, Level
from tenantree.branding.platform import platform_brand
from tenantree.branding.relay import relay_org_for_delivery
from tenantree.branding.resolve import published_brand
from tenantree.orgs.models import Org
from tenantree.outbox import Outbox
from tenantree.outbox.models import OutboxMessage


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("tenantree.branding", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, brand: BrandValues, **context: Any) -> tuple[str, str]:
    """The text and HTML bodies of a template, rendered with a brand."""
    env = environment()
    text = env.get_template(f"{template}.txt").render(brand=brand, **context)
    html = env.get_template(f"{template}.html").render(brand=brand, **context)
    return text, html


def may_send_as(address: str, verified_hostnames: set[str], email_domains: set[str]) -> bool:
    """May the platform's sender use this From address? Only when its domain is one of
    the verified email domains given, or one of the verified custom domains (or the
    parent domain of one): otherwise any org could have the platform's mail claim to
    come from security@paypal.example."""
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")
    if "." not in domain:
        return False
    return domain in email_domains or any(
        domain == hostname or domain == hostname.partition(".")[2]
        for hostname in verified_hostnames
    )


def _level_of(org: Org, relay_org_id: uuid.UUID | None) -> Level:
    """Whose relay the org's mail goes through (the platform's when none)."""
    if relay_org_id is not None and relay_org_id == org.id:
        return Level.ORG
    if relay_org_id is not None and relay_org_id == org.parent_id:
        return Level.PARTNER
    return Level.PLATFORM


@dataclass(frozen=True)
class BrandedMail:
    """Everything needed to send an org's email in its brand."""

    outbox: Outbox
    brand: BrandValues
    # Whose relay the mail goes through (None: the platform's backend).
    relay_org_id: uuid.UUID | None
    # Base of links in the email: the org's verified custom domain if it has one.
    base_url: str
    # May the brand's email_from_address be the From? (see `may_send_as`) If not,
    # the platform's address sends, with the brand's name and its address as Reply-To.
    from_address_trusted: bool = True

    @classmethod
    def for_org(
        cls,
        session: Session,
        outbox: Outbox,
        org: Org,
        *,
        secret_key: str,
        public_base_url: str,
        sender_domains: set[str],
    ) -> BrandedMail:
        """`sender_domains`: the email domains the org and its partner proved
        (`domains.service.sender_domains`), which its From address may use."""
        published = published_brand(
            session,
            org,
            platform=platform_brand(outbox.sender),
            base_url=public_base_url,
        )
        resolved = published.values
        domain = resolved.custom_domain
        relay_org_id = relay_org_for_delivery(session, org, secret_key)
        # Through its own relay an org answers for its own mail, and a partner for the
        # address of its own brand through its relay.
        relay_level = _level_of(org, relay_org_id)
        relays_own_address = relay_level == Level.ORG or (
            relay_level == Level.PARTNER
            and published.sources["email_from_address"] == Level.PARTNER
        )
        org_ids = [org.id] + ([org.parent_id] if org.parent_id is not None else [])
        verified = {hostname for _, hostname in verified_hostnames(session, org_ids)}
        address = resolved.email_from_address
        return cls(
            outbox=outbox,
            brand=resolved,
            relay_org_id=relay_org_id,
            base_url=f"https://{domain}" if domain else public_base_url.rstrip("/"),
            from_address_trusted=(
                address is None
                or address == parseaddr(outbox.sender)[1]
                or relays_own_address
                or may_send_as(address, verified, sender_domains)
            ),
        )

    @property
    def sender(self) -> str:
        name = self.brand.email_from_name or ""
        if self.from_address_trusted:
            return formataddr((name, self.brand.email_from_address or ""))
        return formataddr((name, parseaddr(self.outbox.sender)[1]))

    @property
    def reply_to(self) -> str | None:
        if self.from_address_trusted:
            return self.brand.support_email
        return self.brand.email_from_address

    def send(
        self,
        session: Session,
        *,
        to: str,
        subject: str,
        template: str,
        org_id: uuid.UUID | None = None,
        about: tuple[str, uuid.UUID] | None = None,
        **context: Any,
    ) -> OutboxMessage:
        """Queue the message in the session's work (see Outbox.enqueue for `org_id`, `about`)."""
        text, html = render(template, self.brand, base_url=self.base_url, **context)
        return self.outbox.enqueue(
            session,
            to=to,
            subject=subject,
            text=text,
            html=html,
            sender=self.sender,
            reply_to=self.reply_to,
            relay_org_id=self.relay_org_id,
            org_id=org_id,
            about=about,
        )

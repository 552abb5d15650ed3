"""Emails in an org's brand: Jinja2 templates (package data), resolved published brand,
sender and relay of the org (falling back to its partner's, then the platform's).

Each template comes as NAME.txt (plain text) and NAME.html (autoescaped); both
go out as one multipart/alternative message through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from tenantree.branding.fields import BrandValues
from tenantree.branding.platform import platform_brand
from tenantree.branding.relay import server_for_delivery
from tenantree.branding.resolve import published_brand
from tenantree.orgs.models import Org
from tenantree.outbox import EmailMessage, Outbox, SmtpServer


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


@dataclass(frozen=True)
class BrandedMail:
    """Everything needed to send an org's email in its brand."""

    outbox: Outbox
    brand: BrandValues
    relay: SmtpServer | None
    # Base of links in the email: the org's verified custom domain if it has one.
    base_url: str

    @classmethod
    def for_org(
        cls, session: Session, outbox: Outbox, org: Org, *, secret_key: str, public_base_url: str
    ) -> BrandedMail:
        resolved = published_brand(
            session,
            org,
            platform=platform_brand(outbox.sender),
            base_url=public_base_url,
        ).values
        domain = resolved.custom_domain
        return cls(
            outbox=outbox,
            brand=resolved,
            relay=server_for_delivery(session, org, secret_key),
            base_url=f"https://{domain}" if domain else public_base_url.rstrip("/"),
        )

    @property
    def sender(self) -> str:
        return formataddr((self.brand.email_from_name or "", self.brand.email_from_address or ""))

    def send(
        self, session: Session, *, to: str, subject: str, template: str, **context: Any
    ) -> EmailMessage:
        text, html = render(template, self.brand, base_url=self.base_url, **context)
        return self.outbox.enqueue(
            session,
            to=to,
            subject=subject,
            text=text,
            html=html,
            sender=self.sender,
            reply_to=self.brand.support_email,
            relay=self.relay,
        )

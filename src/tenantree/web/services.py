"""The services container the app is assembled with, and dependencies reading it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tenantree.branding.config import BrandingConfig
from tenantree.config import Settings
from tenantree.db.loop_reads import LoopConnections
from tenantree.identity.context import IdentityConfig
from tenantree.webhooks.config import WebhookConfig


@dataclass
class Services:
    settings: Settings
    sessions: sessionmaker[Session]
    identity: IdentityConfig
    branding: BrandingConfig
    # The bind of sessions for routes marked @reads_only (db.reads_only_engine);
    # None: they get ordinary sessions.
    reads_only_bind: Engine | None = None
    # The connections of reads-only units of work run on the event loop itself
    # (db.loop_reads_engine, web.unit_of_work.read_on_the_loop); None: none
    # runs there (PostgreSQL), they go to the thread pool.
    loop_reads: LoopConnections | None = None
    # None: read from `settings` when asked.
    webhooks: WebhookConfig | None = None


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def`
# dependency in the thread pool, and each hop costs more than the work.


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def get_services(request: Request) -> Services:
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_identity(services: ServicesDep) -> IdentityConfig:
    return services.identity


IdentityDep = Annotated[IdentityConfig, Depends(get_identity)]


async def get_branding(services: ServicesDep) -> BrandingConfig:
    return services.branding


BrandingDep = Annotated[BrandingConfig, Depends(get_branding)]


async def get_webhooks(services: ServicesDep) -> WebhookConfig:
    if services.webhooks is None:
        services.webhooks = WebhookConfig.from_settings(services.settings)
    return services.webhooks


WebhooksDep = Annotated[WebhookConfig, Depends(get_webhooks)]

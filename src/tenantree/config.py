"""Settings, read from TENANTREE_* environment variables."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("tenantree", appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'tenantree.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TENANTREE_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    # Pepper for stored token hashes. Unset: a random key kept in the data dir, so
    # tokens survive restarts of a single-machine install.
    secret_key: str | None = None
    token_ttl_seconds: int = 8 * 3600
    invitation_ttl_seconds: int = 7 * 24 * 3600
    email_backend: str = "console"
    email_from: str = "tenantree <no-reply@tenantree.invalid>"
    public_base_url: str = "http://127.0.0.1:8000"
    # Request bodies past this are refused (413) before they are read or parsed.
    max_body_bytes: int = 1024 * 1024
    # Addresses of the TLS proxies whose X-Forwarded-* headers are believed
    # (uvicorn's forwarded_allow_ips: comma-separated, "*" for any).
    forwarded_allow_ips: str | None = None
    # Let orgs point their own SMTP relay at private or loopback addresses
    # (off: an org admin must not make the server connect inside its network).
    smtp_relay_allow_private_hosts: bool = False
    # The same for orgs' SSO issuers (and plain http on loopback): the server
    # fetches from the issuer on every anonymous sign-in start.
    sso_allow_private_issuers: bool = False
    # The same for orgs' webhook endpoints (and plain http): the worker posts
    # every audited change of the org to them.
    webhooks_allow_private_hosts: bool = False
    # How long a webhook receiver has to answer one delivery.
    webhooks_timeout_seconds: float = 10.0

    # Throttling (identity.throttle), each a count in a sliding window.
    # Sign-in failures: per account from one client address first (a stranger
    # elsewhere cannot lock the person out), a far higher ceiling per account,
    # and per client address across accounts.
    signin_window_seconds: int = 15 * 60
    signin_max_failures_per_account_address: int = 5
    signin_max_failures_per_account: int = 50
    signin_max_failures_per_address: int = 30
    # Password reset requests: counted per email and per client address.
    password_reset_window_seconds: int = 60 * 60
    password_reset_max_requests_per_email: int = 5
    password_reset_max_requests_per_address: int = 20
    # Anonymous SSO sign-in starts (each fetches from the IdP and stores a row).
    sso_start_window_seconds: int = 10 * 60
    sso_start_max_per_address: int = 60
    # Invitations sent, per org and per inviter.
    invitation_window_seconds: int = 60 * 60
    invitation_max_per_org: int = 100
    invitation_max_per_inviter: int = 100
    # SCIM writes per SCIM token (a directory sync writes in bursts).
    scim_write_window_seconds: int = 60
    scim_max_writes_per_token: int = 600

    # Connections each server process keeps to the database. The process
    # admits as many requests at once (each holds one connection for its
    # life) and runs as many worker threads; requests beyond them wait
    # `admission_wait_seconds` for a turn, then are answered 503.
    db_pool_size: int = Field(default=10, ge=1, le=500)
    # How long a checkout may wait for a pooled connection before the request
    # is answered 503 (a backstop: admitted requests never wait for one).
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    admission_wait_seconds: float = Field(default=1.0, ge=0)

    # Who delivers queued email: "background", a thread in each server process,
    # or "external", `tenantree outbox work` processes (the server only queues).
    outbox_worker: Literal["background", "external"] = "background"
    # A worker looks for due messages this often (a commit that queues mail
    # wakes the server's own worker at once).
    outbox_poll_seconds: float = Field(default=2.0, gt=0)
    # A claimed message is another worker's to send after this long (the first
    # is presumed dead): longer than the slowest relay takes to answer.
    outbox_lease_seconds: float = Field(default=120.0, gt=0)
    # Attempts before a message is `failed`; retries wait base, 2x base, 4x
    # base... (with jitter), at most `outbox_retry_max_seconds`.
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_retry_base_seconds: float = Field(default=30.0, ge=0)
    outbox_retry_max_seconds: float = Field(default=3600.0, ge=0)
    # No heartbeat for this long: the worker is presumed dead (/readyz).
    outbox_heartbeat_stale_seconds: float = Field(default=60.0, gt=0)

    # Retention (server/retention.py): delivered messages and webhook
    # deliveries are deleted this long after delivery, dead-lettered (failed)
    # ones this long after they were given up, throttle hits this long after
    # they were counted (never sooner than the longest throttle window ends).
    # Each outbox worker prunes every `retention_sweep_seconds` (0: never;
    # `tenantree outbox prune` from a scheduler instead), `retention_batch_size`
    # rows per short transaction.
    retention_sent_days: float = Field(default=14.0, gt=0)
    retention_failed_days: float = Field(default=90.0, gt=0)
    retention_throttle_hits_hours: float = Field(default=24.0, gt=0)
    retention_sweep_seconds: float = Field(default=3600.0, ge=0)
    retention_batch_size: int = Field(default=1000, ge=1, le=50_000)

    # The server's background sweep of license alerts (alerts.loop) runs this
    # often in each server process; 0 turns it off (`tenantree alerts sweep`
    # from a scheduler instead). Usage changes raise their alerts at once.
    alerts_sweep_seconds: float = Field(default=3600.0, ge=0)

    # `text` (readable, the default) or `json` (one object per line).
    log_format: Literal["text", "json"] = "text"
    # Addresses (or networks) that may read /metrics without an operator's token.
    metrics_allow_ips: str = "127.0.0.1,::1"
    # FastAPI's own OpenTelemetry spans and metrics, for a process whose
    # providers are configured. Off, a request skips asking the global
    # providers whether they are (tenantree's metrics are /metrics, above).
    opentelemetry: bool = False

    # argon2id cost; tests lower it, production keeps the library's defaults.
    argon2_time_cost: int = 3
    argon2_memory_cost_kib: int = 65536
    argon2_parallelism: int = 4

    @property
    def uses_postgresql(self) -> bool:
        return self.database_url.startswith("postgresql")

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        path = default_data_dir() / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Prometheus metrics and the access log line of every request.

Label values are only route templates (`/api/v1/orgs/{org_id}`), methods,
statuses and fixed reasons: never a raw path, an org's id or name, or any
tenant's figure, which would leak tenants to whoever reads the metrics (and
grow the series without bound).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantree.audit.actions import AuditAction
from tenantree.audit.models import AuditEvent
from tenantree.server.admission import Occupancy
from tenantree.server.logs import FIELDS

access_log = logging.getLogger("tenantree.access")

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The process's metrics, in a registry of their own (one per app)."""

    def __init__(self, engine: Engine, pool_size: int, occupancy: Occupancy) -> None:
        self.registry = CollectorRegistry()
        labels = ["method", "route", "status"]
        self.requests = Counter(
            "tenantree_http_requests", "HTTP requests answered", labels, registry=self.registry
        )
        self.latency = Histogram(
            "tenantree_http_request_duration_seconds",
            "Time to answer an HTTP request",
            labels,
            buckets=_BUCKETS,
            registry=self.registry,
        )
        # Each series' children, looked up once: `labels()` took a lock and
        # built its key on every request (bench/ANALYSIS.md, round 7).
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.shed = Counter(
            "tenantree_requests_shed",
            "Requests answered 503 instead of served",
            ["reason"],
            registry=self.registry,
        )
        self.sign_in_failures = Counter(
            "tenantree_sign_in_failures", "Failed password sign-ins", registry=self.registry
        )
        self.outbox_failures = Counter(
            "tenantree_outbox_delivery_failures",
            "Failed delivery attempts of this process's outbox worker, by outcome "
            "(retry: tried again later; failed: given up)",
            ["outcome"],
            registry=self.registry,
        )
        pool = engine.pool
        Gauge("tenantree_db_pool_size", "Connections the pool keeps", registry=self.registry).set(
            pool_size
        )
        Gauge(
            "tenantree_db_pool_in_use", "Pooled connections checked out", registry=self.registry
        ).set_function(lambda: float(getattr(pool, "checkedout", lambda: 0)()))
        Gauge(
            "tenantree_requests_in_flight", "Requests holding a slot", registry=self.registry
        ).set_function(lambda: float(occupancy.in_flight))
        Gauge(
            "tenantree_requests_waiting",
            "Requests waiting for a slot (a connection)",
            registry=self.registry,
        ).set_function(lambda: float(occupancy.waiting))

    def answered(self, method: str, route: str, status: int, elapsed: float) -> None:
        """Count a request and observe its duration under its labels."""
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            # Labels are route templates, methods and statuses: few, bounded.
            labels = (method, route, str(status))
            series = self._series[key] = (
                self.requests.labels(*labels),
                self.latency.labels(*labels),
            )
        series[0].inc()
        series[1].observe(elapsed)

    def outbox_failed_attempt(self, outcome: str) -> None:
        self.outbox_failures.labels(outcome=outcome).inc()

    def watch_outbox(self, counts: Callable[[], dict[str, int] | None]) -> None:
        """Report the outbox's queue (shared by every process) at each scrape."""
        self.registry.register(_OutboxQueue(counts))

    def shed_overloaded(self) -> None:
        self.shed.labels(reason="overloaded").inc()

    def shed_database_unavailable(self) -> None:
        self.shed.labels(reason="database_unavailable").inc()

    def count_sign_in_failures(self, sessions: sessionmaker[Session]) -> None:
        """Count the sign-in failures (their audit events) the sessions commit.

        A refused sign-in's audit event is kept (db.unit_of_work.keep): flushed in
        the refused work, rolled back, then written again and committed; only
        what is committed is counted.
        """
        pending = "tenantree_sign_in_failures_pending"

        @event.listens_for(sessions, "after_flush")
        def _flushed(session: Session, _context: Any) -> None:
            added = sum(
                isinstance(o, AuditEvent) and o.action == AuditAction.AUTH_SIGN_IN_FAILED
                for o in session.new
            )
            if added:
                session.info[pending] = session.info.get(pending, 0) + added

        @event.listens_for(sessions, "after_commit")
        def _committed(session: Session) -> None:
            added = session.info.pop(pending, 0)
            if added:
                self.sign_in_failures.inc(added)

        @event.listens_for(sessions, "after_rollback")
        def _rolled_back(session: Session) -> None:
            session.info.pop(pending, None)


class _OutboxQueue(Collector):
    """The queue's depth and given-up messages, counted in the database per scrape."""

    def __init__(self, counts: Callable[[], dict[str, int] | None]) -> None:
        self.counts = counts

    @staticmethod
    def _families(counts: dict[str, int]) -> list[Metric]:
        return [
            GaugeMetricFamily(
                "tenantree_outbox_queue_depth",
                "Messages waiting to be delivered (retries included)",
                value=counts.get("pending", 0),
            ),
            GaugeMetricFamily(
                "tenantree_outbox_failed_messages",
                "Messages given up after their retries (tenantree outbox retry)",
                value=counts.get("failed", 0),
            ),
        ]

    def describe(self) -> Iterator[Metric]:
        return iter(self._families({}))  # names only: no query when registered

    def collect(self) -> Iterator[Metric]:
        counts = self.counts()
        return iter(self._families(counts) if counts is not None else [])


def route_template(scope: Scope, status: int) -> str:
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template:
        return str(template)
    if status == 404:
        return "unmatched"
    return "other"  # a mount (static files) or a middleware's own answer


def _actor_id(state: dict[str, Any]) -> str | None:
    for key in ("caller", "viewer"):
        who = state.get(key)
        if who is not None:
            # The actor is plain data; the account row may be expired by now.
            return str(who.actor.account_id)
    return None


class RequestTelemetry:
    """Pure ASGI middleware: the request's metrics and its one access log line."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the app answers: an exception leaves as 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope, status)
            method = scope["method"]
            self.metrics.answered(method, route, status, elapsed)
            # The line's fields are built only when it is written.
            if access_log.isEnabledFor(logging.INFO):
                _log_line(scope, method, route, status, elapsed)


def _log_line(scope: Scope, method: str, route: str, status: int, elapsed: float) -> None:
    state = scope.get("state") or {}
    org_id = (scope.get("path_params") or {}).get("org_id")
    access_log.info(
        "%s %s %s",
        method,
        route,
        status,
        extra={
            FIELDS: {
                "request_id": state.get("request_id"),
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
                "actor_id": _actor_id(state),
                "org_id": str(org_id) if org_id is not None else None,
            }
        },
    )

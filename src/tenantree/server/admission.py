"""Admission: at most as many requests in flight as the process has connections.

A request holds one pooled connection from its first statement until its
unit of work is closed, across several thread-pool hops. With more requests
than connections in flight, threads blocked waiting for a connection starve
the requests that hold one of the thread they need to give it back, and the
process stalls until the pool's timeout. Admitting no more requests than
there are connections makes every checkout succeed at once; the slot taken
here is the request's connection, given back when the app has answered.
Requests that find no slot wait briefly, then are answered 503 with
Retry-After so a load balancer or client can go elsewhere or come back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from starlette.types import ASGIApp, Receive, Scope, Send

from tenantree.server.responses import send_unavailable


@dataclass
class Occupancy:
    """How many requests hold a slot and how many wait for one (read by the metrics)."""

    in_flight: int = 0
    waiting: int = 0


class AdmissionLimit:
    """Pure ASGI middleware admitting at most `limit` HTTP requests at once.

    `exempt`: paths that touch no pooled connection (liveness, metrics).
    It also sizes the event loop's default thread limiter (FastAPI's pool for
    sync dependencies and routes) to `limit`: one thread per admitted request.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        wait_seconds: float,
        exempt: Collection[str] = (),
        on_shed: Callable[[], None] = lambda: None,
        occupancy: Occupancy | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.exempt = frozenset(exempt)
        self.on_shed = on_shed
        self.retry_after = max(1, math.ceil(wait_seconds))
        # Per event loop: a test client runs each session on a loop of its own.
        self._slots: RunVar[anyio.Semaphore] = RunVar(f"tenantree_admission_{id(self)}")
        self.occupancy = occupancy or Occupancy()

    def _slots_of_this_loop(self) -> anyio.Semaphore:
        try:
            return self._slots.get()
        except LookupError:
            slots = anyio.Semaphore(self.limit)
            self._slots.set(slots)
            limiter = anyio.to_thread.current_default_thread_limiter()
            limiter.total_tokens = self.limit
            return slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        slots = self._slots_of_this_loop()
        try:
            slots.acquire_nowait()
        except anyio.WouldBlock:
            self.occupancy.waiting += 1
            try:
                with anyio.move_on_after(self.wait_seconds) as waited:
                    await slots.acquire()
            finally:
                self.occupancy.waiting -= 1
            if waited.cancelled_caught:
                self.on_shed()
                await send_unavailable(
                    send,
                    "overloaded",
                    "the server is busy; try again shortly",
                    self.retry_after,
                )
                return
        self.occupancy.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.occupancy.in_flight -= 1
            slots.release()

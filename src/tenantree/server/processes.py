"""Serving from N processes that share one listening socket, with TCP_NODELAY.

Why our own manager rather than `uvicorn --workers`: uvicorn's multi-process
mode binds a socket made without `IPPROTO_TCP`, so asyncio never sets
TCP_NODELAY on the accepted connections (Kludex/uvicorn#3149) and every
keep-alive response waits ~40 ms on Nagle's algorithm and delayed ACKs: two
processes answered fewer requests than one. Here the parent binds the socket
with TCP_NODELAY (Linux copies it onto every accepted connection) and starts
N uvicorn processes on it; the kernel spreads connections over them. Measured
against gunicorn with uvicorn workers and granian in bench/ANALYSIS.md.

SIGTERM (or SIGINT) is passed to every worker: each stops accepting, lets the
requests in flight finish (up to GRACEFUL_SECONDS), and exits. A worker that
dies otherwise (killed, crashed) is started again.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

logger = logging.getLogger("tenantree.server.processes")

# How long in-flight requests get to finish after SIGTERM before they are cut.
GRACEFUL_SECONDS = 25
# The parent waits this much longer for its workers before killing them.
_KILL_AFTER_SECONDS = GRACEFUL_SECONDS + 5
# A worker that keeps dying at start is restarted at most this often.
_RESTART_PAUSE_SECONDS = 1.0
_OPTIONS_ENV = "TENANTREE_WORKER_OPTIONS"


def bind_listener(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket whose accepted connections have TCP_NODELAY set."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind((host, port))
    listener.listen(backlog)
    listener.set_inheritable(True)
    return listener


class Supervisor:
    """Runs `workers` uvicorn processes on one listener until told to stop."""

    def __init__(self, listener: socket.socket, workers: int, uvicorn_options: dict[str, Any]):
        self.listener = listener
        self.workers = workers
        self.options = {**uvicorn_options, "timeout_graceful_shutdown": GRACEFUL_SECONDS}
        self.children: list[subprocess.Popen[bytes]] = []
        self.stopping = False

    def _start_worker(self) -> subprocess.Popen[bytes]:
        fd = self.listener.fileno()
        env = {**os.environ, _OPTIONS_ENV: json.dumps(self.options)}
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "tenantree.server.processes", str(fd)],
            pass_fds=(fd,),
            env=env,
        )

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop)
        self.children = [self._start_worker() for _ in range(self.workers)]
        logger.info("serving with %d worker processes", self.workers)
        while not self.stopping:
            for index, child in enumerate(self.children):
                if child.poll() is not None and not self.stopping:
                    logger.warning(
                        "worker %d exited with %s; starting another", child.pid, child.returncode
                    )
                    time.sleep(_RESTART_PAUSE_SECONDS)
                    if not self.stopping:
                        self.children[index] = self._start_worker()
            time.sleep(0.2)
        return self._wait_for_workers()

    def _wait_for_workers(self) -> int:
        deadline = time.monotonic() + _KILL_AFTER_SECONDS
        for child in self.children:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.listener.close()
        return 0


def serve_processes(host: str, port: int, workers: int, uvicorn_options: dict[str, Any]) -> int:
    """Serve the app from `workers` processes on host:port; returns the exit code."""
    return Supervisor(bind_listener(host, port), workers, uvicorn_options).run()


def _run_worker(fd: int) -> None:
    """One worker: the assembled app under uvicorn, on the inherited listener."""
    import uvicorn

    options = json.loads(os.environ.pop(_OPTIONS_ENV))
    # socket(fileno=) reads the family, type and protocol back from the kernel.
    listener = socket.socket(fileno=fd)
    config = uvicorn.Config("tenantree.server.asgi:app", **options)
    server = uvicorn.Server(config)
    _stop_when_orphaned(server)
    server.run(sockets=[listener])


def _stop_when_orphaned(server: Any) -> None:
    """Stop gracefully if the manager dies (kill -9): no worker outlives it."""
    manager = os.getppid()

    def watch() -> None:
        while not server.should_exit:
            if os.getppid() != manager:
                server.should_exit = True
            time.sleep(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


if __name__ == "__main__":
    _run_worker(int(sys.argv[1]))

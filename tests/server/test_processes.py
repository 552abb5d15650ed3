"""`tenantree serve --workers 2`: two processes answer on one port, and SIGTERM
lets a request in flight finish."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.live import free_port
from tenantree.server.processes import bind_listener

# The command installed beside the interpreter running the tests.
TENANTREE = str(Path(sys.executable).parent / "tenantree")


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    port = free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "TENANTREE_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "TENANTREE_SECRET_KEY": "test-secret-key-for-two-workers",
        "TENANTREE_LOG_FORMAT": "json",
        "TENANTREE_ARGON2_TIME_COST": "1",
        "TENANTREE_ARGON2_MEMORY_COST_KIB": "1024",
        "TENANTREE_ARGON2_PARALLELISM": "1",
    }
    with log.open("wb") as sink:
        server = subprocess.Popen(  # noqa: S603
            [TENANTREE, "serve", "--workers", "2", "--port", str(port), "--migrate"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base, server)
        yield server, base, log
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=60)


def _wait_until_answering(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited at start"
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer within 60 s")


def _pids_that_answered(log: Path) -> set[int]:
    pids = set()
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("route") == "/healthz":
                pids.add(entry["pid"])
    return pids


def test_both_worker_processes_answer_on_the_one_port(two_workers) -> None:  # type: ignore[no-untyped-def]
    _server, base, log = two_workers
    for _ in range(200):
        # A fresh connection each time: the kernel hands each to one process.
        with httpx.Client(timeout=5) as client:
            assert client.get(f"{base}/healthz").status_code == 200
        if len(_pids_that_answered(log)) == 2:
            break
    assert len(_pids_that_answered(log)) == 2


def test_sigterm_lets_the_request_in_flight_finish(two_workers) -> None:  # type: ignore[no-untyped-def]
    server, base, _log = two_workers
    body = json.dumps({"email": "nobody@example.com", "password": "not-the-password"}).encode()
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        # The server says 100 Continue when the app asks for the body: the
        # request is then in flight inside a worker.
        assert conn.recv(1024).startswith(b"HTTP/1.1 100")
        server.send_signal(signal.SIGTERM)
        conn.sendall(body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert server.wait(timeout=60) == 0


def test_workers_stop_when_their_manager_is_killed(two_workers) -> None:  # type: ignore[no-untyped-def]
    server, _base, log = two_workers
    workers = _worker_pids(server.pid)
    assert len(workers) == 2
    server.kill()
    server.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _worker_pids(parent: int) -> list[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(pid) for pid in children]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def test_the_listener_sets_tcp_nodelay_for_its_connections() -> None:
    listener = bind_listener("127.0.0.1", 0)
    try:
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        listener.close()

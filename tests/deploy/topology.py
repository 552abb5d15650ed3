"""The production topology on loopback: PostgreSQL, PgBouncer (transaction
pooling) in front of it, and `tenantree serve` processes on PgBouncer.

Each piece can be stopped, killed and started again, which is what the
deployment test does to them. Runs the database as an unprivileged user when
the tests run as root (PostgreSQL and PgBouncer refuse root), as
scripts/with-postgres.sh does.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

TENANTREE = str(Path(sys.executable).parent / "tenantree")
SECRET_KEY = "deploy-test-secret-key"
_PG_USER = "tenantree-pg"


def postgres_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def pgbouncer_bin() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class Database:
    """A throwaway PostgreSQL cluster with a PgBouncer in transaction mode before it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.bouncer_port = free_port()
        self.run_as: list[str] = []
        self.bouncer: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            known = subprocess.run(["id", _PG_USER], capture_output=True, check=False)  # noqa: S603, S607
            if known.returncode != 0:
                subprocess.run(  # noqa: S603
                    ["useradd",  # noqa: S607 "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                     _PG_USER], check=True,
                )  # fmt: skip
            shutil.chown(folder, _PG_USER)
            self.run_as = ["runuser", "-u", _PG_USER, "--"]

    @property
    def direct_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        """What the servers use: PgBouncer, transaction pooling."""
        return (
            f"postgresql+psycopg://postgres@127.0.0.1:{self.bouncer_port}/postgres"
            "?pooling=transaction"
        )

    def _pg_ctl(self, *args: str) -> None:
        pg_ctl = postgres_bin("pg_ctl")
        assert pg_ctl
        subprocess.run([*self.run_as, pg_ctl, "-D", str(self.data), *args],  # noqa: S603
                       check=True, capture_output=True, timeout=60)  # fmt: skip

    def start(self) -> None:
        initdb = postgres_bin("initdb")
        assert initdb
        subprocess.run(  # noqa: S603
            [*self.run_as, initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-locale"], check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        self.start_postgres()
        self._start_bouncer()

    def start_postgres(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        self._pg_ctl("-l", str(self.folder / "server.log"), "-w", "-o", options, "start")

    def restart_postgres(self) -> None:
        """A fast restart: clients are disconnected, committed work survives."""
        self._pg_ctl("-m", "fast", "-w", "stop")
        self.start_postgres()

    def _start_bouncer(self) -> None:
        pgbouncer = pgbouncer_bin()
        assert pgbouncer
        (self.folder / "userlist.txt").write_text('"postgres" ""\n')
        config = self.folder / "pgbouncer.ini"
        config.write_text(
            f"[databases]\n* = host=127.0.0.1 port={self.port}\n[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.bouncer_port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.folder / 'userlist.txt'}\n"
            "pool_mode = transaction\ndefault_pool_size = 20\nmax_client_conn = 500\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.folder / 'pgbouncer.log'}\n"
        )
        if self.run_as:
            for name in ("userlist.txt", "pgbouncer.ini"):
                shutil.chown(self.folder / name, _PG_USER)
        self.bouncer = subprocess.Popen([*self.run_as, pgbouncer, "-q", str(config)])  # noqa: S603
        wait_for_port(self.bouncer_port)

    def stop(self) -> None:
        if self.bouncer is not None and self.bouncer.poll() is None:
            self.bouncer.terminate()
            self.bouncer.wait(timeout=30)
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self._pg_ctl("-m", "immediate", "stop")


def environment(database_url: str, mail_folder: Path) -> dict[str, str]:
    """What every process of the deployment shares: the database, the key, and
    mail sent by a separate outbox worker (into .eml files here)."""
    return {
        **os.environ,
        "TENANTREE_DATABASE_URL": database_url,
        "TENANTREE_SECRET_KEY": SECRET_KEY,
        "TENANTREE_EMAIL_BACKEND": f"file:{mail_folder}",
        "TENANTREE_OUTBOX_WORKER": "external",
    }


class Worker:
    """One `tenantree outbox work` process: sends what every server queues."""

    def __init__(self, database_url: str, mail_folder: Path, log: Path) -> None:
        self.env = environment(database_url, mail_folder)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(  # noqa: S603
                [TENANTREE, "outbox", "work"], env=self.env, stdout=sink, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Server:
    """One `tenantree serve` process on its own port."""

    def __init__(self, database_url: str, mail_folder: Path, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **environment(database_url, mail_folder),
            "TENANTREE_DB_POOL_SIZE": "5",
            "TENANTREE_ARGON2_TIME_COST": "1",
            "TENANTREE_ARGON2_MEMORY_COST_KIB": "1024",
            "TENANTREE_ARGON2_PARALLELISM": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(  # noqa: S603
                [TENANTREE, "serve", "--port", str(self.port)],
                env=self.env, stdout=sink, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_until_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, "server exited"
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.base} not ready after {seconds} s")

    def kill_hard(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

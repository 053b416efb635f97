"""A throwaway PostgreSQL server for the store tests, started by the tests themselves: `initdb` into a temporary
folder, `pg_ctl start` on a free port of 127.0.0.1 (and a Unix socket in that folder), trust authentication
for loopback only, stopped and removed when the test process ends. One server per process (per xdist worker),
one fresh database per test.

PostgreSQL refuses to run as root; as root (CI), the server runs as the `postgres` user Debian's package
creates (or `nobody`), through `runuser`. Binaries are found on PATH, with `pg_config --bindir`, or in
Debian's `/usr/lib/postgresql/<version>/bin`. When they are missing a test skips, unless the CI variable is
set: then it fails, since scripts/debian-packages.txt must list `postgresql`.
"""

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "iotbaseline"
SERVER_USERS = ("postgres", "nobody")
START_TIMEOUT = 60


@dataclass
class PostgresServer:
    bindir: Path
    folder: Path
    port: int
    run_as: str | None

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres").replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(statement.encode())

    def stop(self) -> None:
        _run(self, "pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


_server: PostgresServer | None = None


def find_bindir() -> Path | None:
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True, timeout=10)
        bindir = Path(found.stdout.strip())
        if (bindir / "initdb").is_file():
            return bindir
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int("0" + p.parts[-3]))
    return versions[-1].parent if versions else None


def server() -> PostgresServer:
    """The process's server, started on first use (the test skips, or fails in CI, without PostgreSQL)."""
    global _server
    if _server is None:
        _server = _start()
        atexit.register(_server.stop)
    return _server


def _require(found: bool, message: str) -> None:
    if found:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must provide it: scripts/debian-packages.txt lists postgresql)")
    pytest.skip(message)


def _start() -> PostgresServer:
    try:
        import psycopg  # noqa: F401 (the driver the store uses)

        driver = True
    except ImportError:
        driver = False
    _require(driver, "psycopg (v3) is not installed: pip install 'psycopg[binary]'")
    bindir = find_bindir()
    _require(bindir is not None, "PostgreSQL's initdb is not installed (apt-get install postgresql)")
    assert bindir is not None
    run_as = _server_user() if os.geteuid() == 0 else None
    _require(os.geteuid() != 0 or run_as is not None, "running as root without a postgres or nobody user")
    folder = Path(tempfile.mkdtemp(prefix="iotbaseline-pg-"))
    if run_as is not None:
        os.chown(folder, pwd.getpwnam(run_as).pw_uid, -1)
    for attempt in range(3):  # a free port can be taken between our check and the server's bind
        server = PostgresServer(bindir, folder, _free_port(), run_as)
        if attempt == 0:
            _run(server, "initdb", "-D", str(folder / "data"), "-U", SUPERUSER, "--auth=trust", "--no-sync",
                 "-E", "UTF8", "--locale=C")  # fmt: skip
        options = f"-h 127.0.0.1 -p {server.port} -k {folder} -F -c max_connections=50"
        started = _run(server, "pg_ctl", "-D", str(folder / "data"), "-o", options, "-l", str(folder / "log"),
                       "-t", str(START_TIMEOUT), "-w", "start", check=False)  # fmt: skip
        if started.returncode == 0:
            return server
    log = (folder / "log").read_text(errors="replace")[-2000:] if (folder / "log").exists() else ""
    shutil.rmtree(folder, ignore_errors=True)
    pytest.fail(f"PostgreSQL did not start: {started.stderr.strip()} {log}")


def _server_user() -> str | None:
    for name in SERVER_USERS:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(server: PostgresServer, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [str(server.bindir / program), *args]
    if server.run_as is not None:
        command = ["runuser", "-u", server.run_as, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT + 30, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"{program} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty database on the server; its SQLAlchemy URL. Dropped afterwards."""
    pg = server()
    name = f"t_{uuid.uuid4().hex[:12]}"
    pg.execute(f"CREATE DATABASE {name}")
    try:
        yield pg.url(name)
    finally:
        pg.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


BACKENDS = ("sqlite", "postgresql")


@contextlib.contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    """A fresh results database of `backend` (one of BACKENDS): a SQLite file in `folder`, or a PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'results.sqlite'}"
    else:
        with fresh_database() as url:
            yield url

"""Where the results live and how to connect: a SQLite file by default, or any SQLAlchemy URL (PostgreSQL).

SQLite is tuned for one writer beside many readers (a batch writing while the dashboard reads): WAL, so
readers never wait for the writer; `busy_timeout`, so a second writer waits instead of failing; foreign keys
on; and write transactions that take the write lock when they begin (`BEGIN IMMEDIATE`), because a
transaction that reads first and then writes cannot wait for the lock: SQLite fails it at once.
"""

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from iotbaseline.store.errors import StoreError

DEFAULT_FILE = "iotbaseline-results.sqlite"
URL_VARIABLE = "IOTBASELINE_RESULTS_DB"
BUSY_TIMEOUT_MS = 60_000
WRITE_OPTION = "iotbaseline_write"
"""Execution option marking an engine whose transactions write (SQLite: BEGIN IMMEDIATE)."""


def default_location() -> str:
    """`$IOTBASELINE_RESULTS_DB` when set, else `iotbaseline-results.sqlite` in the working folder."""
    return os.environ.get(URL_VARIABLE) or DEFAULT_FILE


def database_url(location: str) -> str:
    """A SQLAlchemy URL for `--db`: a URL as given (PostgreSQL without a driver gets psycopg 3), else a file path
    for SQLite."""
    if "://" not in location:
        return f"sqlite:///{Path(location).expanduser().absolute()}"
    try:
        url = make_url(location)
    except ArgumentError:
        raise StoreError(f"{shown_location(location)} is not a database URL (e.g. postgresql://user@host/db)") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other databases and for SQLite in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def create_store_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(url, in_memory=sqlite_file(url) is None)
        return create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as error:
        raise StoreError(f"cannot use the database {shown_location(url)}: {error}") from None


def writer(engine: Engine) -> Engine:
    """The same pool, for transactions that write."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _sqlite_engine(url: str, in_memory: bool) -> Engine:
    if in_memory:  # one connection, or each would see its own empty database
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url)
    event.listen(engine, "connect", _tune_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the driver's own BEGIN is deferred; `_begin_sqlite` emits ours
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def shown_location(url: str) -> str:
    """A URL for messages, without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the given location"

"""Brings a results database to the schema this version of iotbaseline writes: Alembic's `upgrade head`, run
when the store opens.

Two processes opening a new database at once must not both create the tables: the upgrade runs inside one
write transaction that holds SQLite's write lock (`BEGIN IMMEDIATE`) or a PostgreSQL advisory lock, and
looks at the revision again once it holds it. A database already at `HEAD` is recognised with one query,
without loading Alembic (a fifth of a second: `iotbaseline results` is a command people type).

A schema change is a new revision beside the models' change; with the models edited, Alembic writes its
draft from the difference:

    from alembic import command
    from iotbaseline.store.migrate import alembic_config
    command.revision(alembic_config("sqlite:////tmp/at-head.sqlite"), "what changed", autogenerate=True)

(on a database already at the previous head), then review the draft in `migrations/versions/` and set `HEAD`.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from iotbaseline.store.database import writer
from iotbaseline.store.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0001"
"""The newest revision in `migrations/versions/` (a test keeps the two equal)."""
ADVISORY_LOCK = 0x10_7B_A5_E1  # PostgreSQL advisory lock id for migrations, any constant of ours


def alembic_config(url: str | None = None) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The head as Alembic reads it from the revision files."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def stored_revision(engine: Engine) -> str | None:
    """The database's revision; None for a database without our version table (new, or not ours)."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def upgrade(engine: Engine, location: str) -> None:
    """`upgrade head` unless the database is there already; `location` names the database in messages."""
    if stored_revision(engine) == HEAD:
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.util import CommandError

    try:
        with writer(engine).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
            if MigrationContext.configure(connection).get_current_revision() == HEAD:
                return  # another process migrated it while we waited for the lock
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except CommandError as error:
        raise StoreError(
            f"{location} has a results schema this version of iotbaseline does not know ({error}): "
            "it was written by a newer version"
        ) from None
    except SQLAlchemyError as error:
        raise StoreError(f"cannot prepare the results database {location}: {error.__cause__ or error}") from None

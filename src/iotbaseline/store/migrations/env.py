"""Alembic's entry: migrate over the connection `migrate.upgrade` opened (and locked), or, when a developer runs
Alembic's commands through `migrate.alembic_config(url)`, over a connection to that URL."""

from alembic import context
from sqlalchemy import Connection

from iotbaseline.store.database import create_store_engine, writer
from iotbaseline.store.schema import Base


def _migrate(connection: Connection) -> None:
    # batch mode: SQLite cannot ALTER most things in place; Alembic rebuilds the table instead
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if isinstance(given, Connection):
    _migrate(given)
else:
    engine = create_store_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with writer(engine).connect() as opened:
            _migrate(opened)
    finally:
        engine.dispose()

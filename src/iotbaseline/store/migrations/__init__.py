"""The results schema's Alembic migrations (`env.py`, `versions/`), run by `iotbaseline.store.migrate`."""

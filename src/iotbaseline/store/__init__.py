"""Results of many scans in one database (SQLite by default, PostgreSQL by URL), through SQLAlchemy 2."""

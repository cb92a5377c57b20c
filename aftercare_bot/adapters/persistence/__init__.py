"""Persistence: SQLAlchemy tables, repositories named by intent, a unit of work, migrations."""

"""Alembic migrations, shipped in the package and run by `python bot.py db upgrade`."""

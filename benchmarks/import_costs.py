"""What each heavy import costs, in a fresh interpreter: `python -m benchmarks.import_costs`.

Imports in the order `python bot.py run` makes them, each step timed and weighed (VmRSS
before and after) on top of the ones before, with the collector off as bot.py has it while
importing. Prints one JSON object per line: step, milliseconds, MiB. The last steps are what
`run` does not load with the console off, for comparison.
"""

import gc
import importlib
import json
import sys
import time

from benchmarks.memory import memory_of

# (step, modules): in the order the bot imports them; None marks the texts being read.
STEPS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("asyncio and logging", ("asyncio", "logging")),
    ("python-telegram-bot (httpx, APScheduler, tornado)", ("telegram", "telegram.ext")),
    ("SQLAlchemy core", ("sqlalchemy",)),
    ("SQLAlchemy ORM and asyncio", ("sqlalchemy.orm", "sqlalchemy.ext.asyncio")),
    (
        "pydantic (models, validators)",
        ("pydantic", "pydantic.main", "pydantic.functional_validators"),
    ),
    ("pydantic-settings", ("pydantic_settings",)),
    ("Babel (dates, plurals)", ("babel", "babel.dates")),
    ("ours: config", ("aftercare_bot.config",)),
    ("ours: tables and units of work", ("aftercare_bot.adapters.persistence.unit_of_work",)),
    ("ours: everything else `run` imports", ("aftercare_bot.cli", "aftercare_bot.bootstrap")),
    ("ours: nine catalogues read", None),
    ("SQLite driver (aiosqlite, dialect): on SQLite", ("sqlalchemy.dialects.sqlite.aiosqlite",)),
    ("psycopg and its dialect: on PostgreSQL", ("sqlalchemy.dialects.postgresql.psycopg",)),
    ("not at start: the console (aiohttp, Jinja2)", ("aftercare_bot.adapters.web.server",)),
    ("not at start: the FHIR models (export)", ("fhir.resources.R4B.bundle",)),
)


def main() -> None:
    """Print the steps' costs, one JSON line each; the first line is the interpreter itself."""
    gc.disable()
    print(json.dumps({"step": "Python itself", "ms": 0.0, "mib": memory_of().rss}))
    for step, modules in STEPS:
        before, began = memory_of().rss, time.perf_counter()
        if modules is None:
            from aftercare_bot.texts import Texts

            Texts.load()
        else:
            for module in modules:
                importlib.import_module(module)
        took = (time.perf_counter() - began) * 1000
        print(json.dumps({"step": step, "ms": took, "mib": memory_of().rss - before}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Reports for staff off Telegram: `digest` (today's, printed) and `export` (a CSV since a day)."""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from aftercare_bot.cli.command import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Subcommands,
    add_command,
    database_ready,
    read_config,
)
from aftercare_bot.clock import SystemClock


def digest_command(args: argparse.Namespace) -> int:
    """Print today's digest, as staff would read it in Telegram."""
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.adapters.telegram.handlers.digest import digest_lines, plain_text
    from aftercare_bot.adapters.telegram.views.rendering import Views
    from aftercare_bot.config import load_texts_and_plans
    from aftercare_bot.services.digest import gather_digest

    config = read_config(args.config)
    texts, _plans = load_texts_and_plans(config)
    database_ready(config)
    now = SystemClock().now()

    async def read() -> Any:
        database = Database(config.database_url)
        try:
            async with database.unit_of_work() as uow:
                return await gather_digest(uow, now, config.clinic.timezone)
        finally:
            await database.dispose()

    facts = asyncio.run(read())
    lines = digest_lines(Views(texts, config), config.clinic.language, facts, now)
    print(plain_text("\n".join(lines)))
    return EXIT_OK


def export_command(args: argparse.Namespace) -> int:
    """Write a CSV of check-ins and incidents since a date (clinic time)."""
    from datetime import date, datetime, time

    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.domain.csv_safety import csv_bytes
    from aftercare_bot.services.export import export_rows

    config = read_config(args.config)
    try:
        day = date.fromisoformat(args.since)
    except ValueError:
        print(
            f"export: --since {args.since!r} is not a date (expected YYYY-MM-DD)", file=sys.stderr
        )
        return EXIT_USAGE
    since = datetime.combine(day, time(0), config.clinic.timezone)
    database_ready(config)

    async def read() -> list[list[str]]:
        database = Database(config.database_url)
        try:
            async with database.unit_of_work() as uow:
                return await export_rows(uow, since, config.clinic.timezone)
        finally:
            await database.dispose()

    rows = asyncio.run(read())
    try:
        args.out.write_bytes(csv_bytes(rows))
    except OSError as error:
        print(f"export: cannot write {args.out}: {error.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(f"export: {len(rows) - 1} rows written to {args.out}")
    return EXIT_OK


def add_digest_command(commands: Subcommands, config: argparse.ArgumentParser) -> None:
    """`digest [--print]`."""
    digest = add_command(commands, "digest", "print today's staff digest", digest_command, config)
    digest.add_argument(
        "--print", action="store_true", help="print it here (the default; nothing is posted)"
    )


def add_export_command(commands: Subcommands, config: argparse.ArgumentParser) -> None:
    """`export --since DAY --out FILE`."""
    export = add_command(
        commands,
        "export",
        "write a CSV of check-ins and incidents",
        export_command,
        config,
    )
    export.add_argument("--since", required=True, help="first day, YYYY-MM-DD (clinic time)")
    export.add_argument("--out", type=Path, required=True, help="the CSV file to write")

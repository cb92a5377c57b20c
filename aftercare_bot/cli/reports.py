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
from aftercare_bot.config import Config


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
    if args.fhir is not None:
        return _export_fhir(args, config)
    if args.since is None or args.out is None:
        print("export: give --since DAY and --out FILE (a CSV), or --fhir FILE", file=sys.stderr)
        return EXIT_USAGE
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


def _export_fhir(args: argparse.Namespace, config: Config) -> int:
    """Write the clinic's records as a FHIR R4B Bundle (JSON), built and validated with
    fhir.resources; all time, or since --since (clinic time)."""
    import json
    from datetime import UTC, date, datetime, time

    from aftercare_bot.adapters.fhir_export import fhir_bundle
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.services.staff_reports import StaffReports

    since = datetime(2000, 1, 1, tzinfo=UTC)  # all time: before the bot could have run
    if args.since is not None:
        try:
            since = datetime.combine(
                date.fromisoformat(args.since), time(0), config.clinic.timezone
            )
        except ValueError:
            print(f"export: --since {args.since!r} is not a date (expected YYYY-MM-DD)",
                  file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
    database_ready(config)
    clock = SystemClock()

    async def read() -> Any:
        database = Database(config.database_url)
        try:
            reports = StaffReports(database, clock, config.clinic.timezone)
            return await reports.clinical_records(since, None)
        finally:
            await database.dispose()

    bundle = fhir_bundle(asyncio.run(read()), clock.now())
    try:
        args.fhir.write_text(json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as error:
        print(f"export: cannot write {args.fhir}: {error.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(f"export: a FHIR R4B bundle of {len(bundle.get('entry', []))} resources written to "
          f"{args.fhir}")  # fmt: skip
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
    export.add_argument("--since", help="first day, YYYY-MM-DD (clinic time)")
    export.add_argument("--out", type=Path, help="the CSV file to write")
    export.add_argument(
        "--fhir", type=Path, metavar="FILE", help="write a FHIR R4B bundle (JSON) instead"
    )

"""One patient at a time, or a CSV of them: `enroll`, `schedule` and `forget`."""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from aftercare_bot.cli.command import (
    EXIT_FAILED,
    EXIT_OK,
    Subcommands,
    add_command,
    database_ready,
    read_config,
)
from aftercare_bot.clock import SystemClock


def enroll_command(args: argparse.Namespace) -> int:
    """Enroll one patient from flags, or every row of a CSV, and print `code,link` lines."""
    from aftercare_bot.adapters.telegram.runtime.identity import TelegramUnreachable
    from aftercare_bot.adapters.telegram.views.qr import qr_png
    from aftercare_bot.cli.enrollment_rows import InvalidRow, read_rows, run_enroll

    # The output is code,link lines for scripts; routine log lines would only get in the way.
    config = read_config(args.config)
    database_ready(config)
    try:
        rows = list(read_rows(args.csv)) if args.csv else [(0, _enroll_flags(args))]
        enrolled, problems = asyncio.run(
            run_enroll(config, rows, args.csv is not None, SystemClock().now())
        )
    except (TelegramUnreachable, InvalidRow, OSError, UnicodeDecodeError) as error:
        print(f"enroll: {error}", file=sys.stderr)
        return EXIT_FAILED
    for code, link in enrolled:
        print(f"{code},{link or 'already enrolled'}")
        if link and args.qr:
            args.qr.write_bytes(qr_png(link))
    for problem in problems:
        print(problem, file=sys.stderr)
    if any(link is None for _, link in enrolled):
        print(
            "rows enrolled before were left as they were; /newlink CODE gives a new link",
            file=sys.stderr,
        )
    return EXIT_FAILED if problems else EXIT_OK


def _enroll_flags(args: argparse.Namespace) -> dict[str, str]:
    names = ("name", "session", "next", "lang", "plan", "practitioner")
    return {name: getattr(args, name) or "" for name in names}


def schedule_command(args: argparse.Namespace) -> int:
    """List scheduled messages: every patient's, or one patient's."""
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.cli.schedule_listing import as_json, as_table, schedule_rows

    config = read_config(args.config)
    database_ready(config)

    async def read() -> list[Any] | None:
        database = Database(config.database_url)
        try:
            return await schedule_rows(database, args.code)
        finally:
            await database.dispose()

    rows = asyncio.run(read())
    if rows is None:
        print(f"schedule: no patient with code {args.code}", file=sys.stderr)
        return EXIT_FAILED
    print(as_json(rows) if args.json else as_table(rows))
    return EXIT_OK


def forget_command(args: argparse.Namespace) -> int:
    """Erase one patient's personal data now (an erasure request received by the clinic)."""
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.adapters.telegram.notices.erasure_notices import announce_from_command_line
    from aftercare_bot.domain.patients import normalise_code
    from aftercare_bot.domain.privacy import DeleteMode
    from aftercare_bot.services.retention import Forgotten, forget

    config = read_config(args.config)
    database_ready(config)
    code = normalise_code(args.code)

    async def erase() -> tuple[Forgotten, bool | None] | None:
        database = Database(config.database_url)
        try:
            async with database.unit_of_work() as uow:
                patient = await uow.patients.by_code(code)
                if patient is None:
                    return None
                now = SystemClock().now()
                forgotten = await forget(uow, patient, DeleteMode.ERASE, now, "on request")
                await uow.commit()
            if forgotten.incident is None or forgotten.already_left:
                return forgotten, None
            return forgotten, await announce_from_command_line(config, database, forgotten)
        finally:
            await database.dispose()

    result = asyncio.run(erase())
    if result is None:
        print(f"forget: no patient with code {code}", file=sys.stderr)
        return EXIT_FAILED
    print(_forgotten_report(code, *result))
    return EXIT_OK


def _forgotten_report(code: str, forgotten: Any, told: bool | None) -> str:
    """What `forget` did, for the operator: whom it could tell, and whom they must."""
    if forgotten.incident is None:
        return f"forget: {code} erased (their messages, check-ins, photos and consent records)"
    kept = (
        f"forget: {code} erased but for the code, kept until incident #{forgotten.incident.id} "
        "is resolved (staff still see it and are still paged)"
    )
    if forgotten.already_left:
        told_whom = "the patient had already left; they and staff were told then"
    elif told is None:
        told_whom = "Telegram could not be reached: please phone the patient and tell staff"
    elif told:
        told_whom = "the patient was told the clinic will still follow up; staff were told"
    else:
        told_whom = "the patient could not be told in Telegram: please phone them; staff were told"
    return f"{kept}\nforget: {told_whom}"


def add_enroll_command(commands: Subcommands, config: argparse.ArgumentParser) -> None:
    """`enroll (--name NAME | --csv FILE) [...]`."""
    enroll = add_command(
        commands,
        "enroll",
        "enroll a patient (or a CSV of patients) and print code,link",
        enroll_command,
        config,
    )
    who = enroll.add_mutually_exclusive_group(required=True)
    who.add_argument("--name", help="the patient's first name")
    who.add_argument(
        "--csv", type=Path, help="CSV with columns name,session,next,lang,plan,practitioner"
    )
    enroll.add_argument(
        "--session", help='session date and time, "YYYY-MM-DD HH:MM" (default: now)'
    )
    enroll.add_argument("--next", help='next session, "YYYY-MM-DD HH:MM"')
    enroll.add_argument(
        "--lang", help="the patient's language code (default: their Telegram language)"
    )
    enroll.add_argument("--plan", help="aftercare plan (default: schedule.default_plan)")
    enroll.add_argument("--practitioner", help="who performed the session (default: the clinic)")
    enroll.add_argument("--qr", type=Path, help="also write the link as a QR code PNG here")


def add_schedule_command(commands: Subcommands, config: argparse.ArgumentParser) -> None:
    """`schedule [CODE] [--json]`."""
    schedule = add_command(
        commands, "schedule", "list scheduled messages", schedule_command, config
    )
    schedule.add_argument("code", nargs="?", help="only this patient (e.g. P-7K3Q)")
    schedule.add_argument("--json", action="store_true", help="JSON instead of a table")


def add_forget_command(commands: Subcommands, config: argparse.ArgumentParser) -> None:
    """`forget CODE`."""
    forget = add_command(commands, "forget", "erase one patient's data now", forget_command, config)
    forget.add_argument("code", help="the patient's code, e.g. P-7K3Q")

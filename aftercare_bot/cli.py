"""`python bot.py COMMAND [--config PATH]`: the command line for clinics and operators.

Mistakes in the config or the arguments get one line each and exit status 2; a database
that cannot be used, a token Telegram refuses or a Telegram that does not answer get one line
and exit status 1. Nothing expected produces a traceback, and no line holds the token.
"""

import argparse
import asyncio
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError
from telegram.error import InvalidToken, NetworkError, TelegramError

from aftercare_bot import __version__, bootstrap, logs
from aftercare_bot.adapters.persistence import schema
from aftercare_bot.adapters.persistence.database import (
    DatabaseUnusable,
    first_line,
    probe,
    shown_url,
)
from aftercare_bot.clock import SystemClock
from aftercare_bot.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config
from aftercare_bot.texts import CatalogueError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

Command = Callable[[argparse.Namespace], int]

TOKEN_REFUSED = "telegram.token was refused by Telegram (check it with @BotFather)"


def run_command(args: argparse.Namespace) -> int:
    """Start the bot and run until interrupted; while Telegram does not answer, keep asking."""
    from aftercare_bot.adapters.persistence.instance_lock import InstanceLocked

    config = _load(args.config, "INFO")
    config.require_token()
    probe(config.database_url)
    base_url = config.telegram.base_url
    try:
        bootstrap.run(config)
    except InstanceLocked as error:
        return _fail("run", str(error))
    except InvalidToken:
        return _fail("run", TOKEN_REFUSED)
    except NetworkError as error:  # Telegram went away again while the bot was starting
        return _fail("run", f"Telegram stopped answering at {base_url} ({error})")
    except TelegramError as error:
        return _fail("run", f"Telegram at {base_url} answered: {error}")
    return EXIT_OK


def db_backup_command(args: argparse.Namespace) -> int:
    """Copy a SQLite database consistently, also while the bot runs."""
    from aftercare_bot.adapters.persistence.backup import BackupImpossible, backup_sqlite

    config = _load(args.config, "INFO")
    try:
        pages = backup_sqlite(config.database_url, args.file)
    except BackupImpossible as error:
        print(f"db backup: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        return _fail("db backup", f"cannot write {args.file}: {error.strerror}")
    except sqlite3.Error as error:
        return _fail("db backup", f"cannot read {shown_url(config.database_url)}: {error}")
    print(f"db backup: {args.file} written ({pages} pages)")
    return EXIT_OK


def demo_command(args: argparse.Namespace) -> int:
    """Play the demo journey against the built-in simulator."""
    # The transcript is the demo's output; log lines would only interleave with it. Its
    # warnings are the ones the journey provokes on purpose (at start the clinic has no staff
    # group yet and its admin has not opened the bot: its first steps set them up), so by
    # default only errors show. Set before the import: Alembic logs as it is imported.
    from aftercare_bot.demo import DEMO_TOKEN

    logs.configure(args.log_level, as_json=args.json_logs, secrets=[DEMO_TOKEN])
    from aftercare_bot.demo.journey import play_demo

    exit_code: int = asyncio.run(play_demo())
    return exit_code


def db_upgrade_command(args: argparse.Namespace) -> int:
    """Create or migrate the database named by the config."""
    config = _load(args.config, "INFO")
    probe(config.database_url)
    from aftercare_bot.adapters.persistence import migrate  # Alembic logs as it is imported

    migrate.upgrade(config.database_url)
    shown = shown_url(config.database_url)
    print(f"database {shown} is at revision {migrate.current_revision(config.database_url)}")
    return EXIT_OK


def enroll_command(args: argparse.Namespace) -> int:
    """Enroll one patient from flags, or every row of a CSV, and print `code,link` lines."""
    from aftercare_bot.adapters.telegram.identity import TelegramUnreachable
    from aftercare_bot.adapters.telegram.qr import qr_png
    from aftercare_bot.enrollment_import import InvalidRow, read_rows, run_enroll

    # The output is code,link lines for scripts; routine log lines would only get in the way.
    config = _load(args.config)
    _database_ready(config)
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
    from aftercare_bot.schedule_listing import as_json, as_table, schedule_rows

    config = _load(args.config)
    _database_ready(config)

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


def check_command(args: argparse.Namespace) -> int:
    """Name every staff member and staff group the bot cannot write to.

    Those are warnings (exit 0, 1 with --strict): only staff can close them, from Telegram,
    and the bot must run for that. A token refused or a database that cannot be used is
    exit 1; a Telegram that does not answer is a warning too, as `run` waits for it.
    """
    from telegram import Bot

    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.adapters.telegram.staff_check import check_staff_reach, describe

    config = _load(args.config)
    _database_ready(config)

    async def check() -> list[Any]:
        database = Database(config.database_url)
        bot = Bot(
            config.require_token(),
            base_url=config.telegram.base_url,
            base_file_url=config.telegram.base_file_url,
        )
        try:
            async with bot:
                return await check_staff_reach(bot, config, database)
        finally:
            await database.dispose()

    failed = EXIT_FAILED if args.strict else EXIT_OK
    try:
        results = asyncio.run(check())
    except InvalidToken:
        return _fail("check", TOKEN_REFUSED)
    except NetworkError as error:
        _warn(
            "check",
            f"Telegram did not answer at {config.telegram.base_url} ({error}); staff chats "
            "not checked (`run` keeps asking until it answers)",
        )
        return failed
    except TelegramError as error:
        return _fail("check", f"Telegram at {config.telegram.base_url} answered: {error}")
    for reach in results:
        print(describe(reach))
    warnings = sum(1 for reach in results if reach.problem)
    if not warnings:
        return EXIT_OK
    print(
        f"check: {warnings} warning{'s' if warnings > 1 else ''}: the bot can run; staff close "
        "them in Telegram" + (" (failing: --strict)" if args.strict else "")
    )
    return failed


def digest_command(args: argparse.Namespace) -> int:
    """Print today's digest, as staff would read it in Telegram."""
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.adapters.telegram.digest import digest_lines, plain_text
    from aftercare_bot.adapters.telegram.views import Views
    from aftercare_bot.config import load_texts_and_plans
    from aftercare_bot.services.digest import gather_digest

    config = _load(args.config)
    texts, _plans = load_texts_and_plans(config)
    _database_ready(config)
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

    config = _load(args.config)
    try:
        day = date.fromisoformat(args.since)
    except ValueError:
        print(
            f"export: --since {args.since!r} is not a date (expected YYYY-MM-DD)", file=sys.stderr
        )
        return EXIT_USAGE
    since = datetime.combine(day, time(0), config.clinic.timezone)
    _database_ready(config)

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


def status_command(args: argparse.Namespace) -> int:
    """Healthy (0), degraded (1) or down (2), with the figures behind the verdict."""
    from sqlalchemy.exc import SQLAlchemyError

    from aftercare_bot.adapters.persistence.urls import sqlite_file
    from aftercare_bot.domain.health import Health, judge

    config = _load(args.config, "CRITICAL")
    shown = shown_url(config.database_url)
    path = sqlite_file(config.database_url)
    if path is not None and not Path(path).exists():
        # Opening it would leave an empty database behind, which `run` would then take as its.
        print(f"database   none yet: {path} (`bot.py run` or `bot.py db upgrade` creates it)")
        print(f"status     {Health.DOWN.name.lower()}")
        return int(Health.DOWN)
    try:
        snapshot, nobody_to_page = asyncio.run(_read_status(config))
    except (SQLAlchemyError, OSError) as error:
        print(f"database   unreachable: {shown} ({type(error).__name__})")
        print(f"status     {Health.DOWN.name.lower()}")
        return int(Health.DOWN)
    health, reasons = judge(snapshot, config.escalation.reescalate_after)
    if nobody_to_page and health is not Health.DOWN:
        health = max(health, Health.DEGRADED)
        reasons.append(
            "no staff group is bound and no admin can be reached, so an urgent report would "
            "reach nobody (send /bindgroup in the staff group; admins press Start with the bot)"
        )
    leader = (
        f"active: {snapshot.leader} (lease until {snapshot.leader_until:%Y-%m-%d %H:%M:%S} UTC)"
        if snapshot.leader and snapshot.leader_until
        else "none active"
    )
    last = f"{snapshot.last_sent_at:%Y-%m-%d %H:%M} UTC" if snapshot.last_sent_at else "never"
    print(f"database   ok ({shown})")
    print(f"instance   {leader}")
    print(f"messages   {snapshot.pending} pending, {snapshot.overdue} overdue; last sent {last}")
    print(f"incidents  {snapshot.open_incidents} open")
    print(f"status     {health.name.lower()}" + "".join(f"\n  - {r}" for r in reasons))
    return int(health)


async def _read_status(config: Config) -> tuple[Any, bool]:
    """The health snapshot, and whether an urgent report would reach no staff at all."""
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.adapters.persistence.health import read_snapshot
    from aftercare_bot.services.staff_reach import nobody_to_page

    database = Database(config.database_url)
    try:
        async with database.unit_of_work() as uow:
            snapshot = await read_snapshot(uow.session, SystemClock().now())
            return snapshot, await nobody_to_page(uow, config.staff.escalation_chat_id)
    finally:
        await database.dispose()


def forget_command(args: argparse.Namespace) -> int:
    """Erase one patient's personal data now (an erasure request received by the clinic)."""
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.adapters.telegram.erasure_notices import announce_from_command_line
    from aftercare_bot.domain.patients import normalise_code
    from aftercare_bot.domain.privacy import DeleteMode
    from aftercare_bot.services.retention import Forgotten, forget

    config = _load(args.config)
    _database_ready(config)
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="python bot.py", description="Aftercare follow-up bot for scalp mesotherapy clinics."
    )
    parser.add_argument("--version", action="version", version=f"aftercare_bot {__version__}")
    config_option = argparse.ArgumentParser(add_help=False)
    config_option.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG_PATH,
        help="config file (default: ./config.toml)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add(commands, "run", "start the bot", run_command, config_option)
    demo = _add(
        commands, "demo", "play a patient journey against the built-in simulator", demo_command
    )
    demo.add_argument(
        "--log-level",
        default="ERROR",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="also show the bot's own log lines from this level on stderr (default: ERROR)",
    )
    demo.add_argument("--json-logs", action="store_true", help="log lines as JSON objects")
    enroll = _add(
        commands,
        "enroll",
        "enroll a patient (or a CSV of patients) and print code,link",
        enroll_command,
        config_option,
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
    check = _add(
        commands,
        "check",
        "name staff and the staff group the bot cannot reach (warnings; exit 1 if it cannot run)",
        check_command,
        config_option,
    )
    check.add_argument(
        "--strict", action="store_true", help="exit 1 on warnings too (exit 0 means no gap)"
    )
    schedule = _add(
        commands, "schedule", "list scheduled messages", schedule_command, config_option
    )
    schedule.add_argument("code", nargs="?", help="only this patient (e.g. P-7K3Q)")
    schedule.add_argument("--json", action="store_true", help="JSON instead of a table")
    forget = _add(commands, "forget", "erase one patient's data now", forget_command, config_option)
    forget.add_argument("code", help="the patient's code, e.g. P-7K3Q")
    _add(
        commands,
        "status",
        "is the bot working? exit 0 healthy, 1 degraded, 2 down",
        status_command,
        config_option,
    )
    digest = _add(commands, "digest", "print today's staff digest", digest_command, config_option)
    digest.add_argument(
        "--print", action="store_true", help="print it here (the default; nothing is posted)"
    )
    export = _add(
        commands,
        "export",
        "write a CSV of check-ins and incidents",
        export_command,
        config_option,
    )
    export.add_argument("--since", required=True, help="first day, YYYY-MM-DD (clinic time)")
    export.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    _add(
        db_commands, "upgrade", "create or migrate the database", db_upgrade_command, config_option
    )
    backup = _add(
        db_commands,
        "backup",
        "copy a SQLite database consistently (also while the bot runs)",
        db_backup_command,
        config_option,
    )
    backup.add_argument("file", type=Path, help="the copy to write")
    return parser


def _add(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
    name: str,
    summary: str,
    handler: Command,
    *parents: argparse.ArgumentParser,
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=summary, parents=list(parents))
    command.set_defaults(handler=handler)
    return command


def configure_logging() -> None:
    """Readable, masked logs on stderr until the config says otherwise (see `logs`)."""
    logs.configure()


def _load(path: Path, log_level: str = "WARNING") -> Config:
    """The config at `path`; from here on logs are at `log_level` and mask its secrets.

    Raises:
        ConfigError: the path is a folder or cannot be read, or the config is not valid.
    """
    if path.is_dir():
        raise ConfigError(
            [f"{path}: is a folder, not a config file (expected e.g. {path / 'config.toml'})"]
        )
    try:
        config = load_config(path)
    except OSError as error:
        raise ConfigError([f"{path}: cannot be read ({error.strerror})"]) from None
    telegram = config.telegram
    secrets = (telegram.token.get_secret_value(), telegram.secret_token.get_secret_value())
    logs.configure(log_level, secrets=secrets)
    return config


def _database_ready(config: Config) -> None:
    """Make sure the database can be used and is at the current schema.

    Raises:
        DatabaseUnusable: it cannot be reached, created or written.
    """
    probe(config.database_url)
    try:
        schema.bring_up_to_date(config.database_url)
    except DBAPIError as error:
        shown = shown_url(config.database_url)
        raise DatabaseUnusable(f"database {shown}: {first_line(error.orig)}") from None


def _warn(command: str, problem: str) -> None:
    """Print one line about a problem of `command` (masked: never a token)."""
    print(logs.mask(f"{command}: {problem}"), file=sys.stderr)


def _fail(command: str, problem: str) -> int:
    """Print one line about what stopped `command`, and fail."""
    _warn(command, problem)
    return EXIT_FAILED


def _command_name(args: argparse.Namespace) -> str:
    db_command = getattr(args, "db_command", None)
    return f"{args.command} {db_command}" if db_command else str(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run one command, and turn known failures into exit codes."""
    args = build_parser().parse_args(argv)
    configure_logging()
    handler: Command = args.handler
    try:
        return handler(args)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    except CatalogueError as error:
        print(f"texts: {error}", file=sys.stderr)
        return EXIT_FAILED
    except DatabaseUnusable as error:
        return _fail(_command_name(args), str(error))
    except DBAPIError as error:  # the database went away after the command had checked it
        return _fail(_command_name(args), f"database: {first_line(error.orig)}")
    except KeyboardInterrupt:
        return EXIT_OK

"""Running the bot and knowing whether it works: `run`, `demo`, `check` and `status`."""

import argparse
import asyncio
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram.error import InvalidToken, NetworkError, TelegramError

from aftercare_bot import bootstrap, logs
from aftercare_bot.adapters.persistence.database import probe, shown_url
from aftercare_bot.cli.command import (
    EXIT_FAILED,
    EXIT_OK,
    TOKEN_REFUSED,
    Subcommands,
    add_command,
    database_ready,
    fail,
    read_config,
    warn,
)
from aftercare_bot.clock import SystemClock
from aftercare_bot.config import Config, load_texts_and_plans


def run_command(args: argparse.Namespace) -> int:
    """Start the bot and run until interrupted; while Telegram does not answer, keep asking."""
    from aftercare_bot.adapters.persistence.instance_lock import InstanceLocked

    config = read_config(args.config, "INFO")
    config.require_token()
    probe(config.database_url)
    base_url = config.telegram.base_url
    try:
        bootstrap.run(config)
    except InstanceLocked as error:
        return fail("run", str(error))
    except InvalidToken:
        return fail("run", TOKEN_REFUSED)
    except NetworkError as error:  # Telegram went away again while the bot was starting
        return fail("run", f"Telegram stopped answering at {base_url} ({error})")
    except TelegramError as error:
        return fail("run", f"Telegram at {base_url} answered: {error}")
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

    if not args.console:
        exit_code: int = asyncio.run(play_demo())
        return exit_code
    return asyncio.run(_demo_with_console(play_demo, args.console_port))


async def _demo_with_console(play: Any, port: int) -> int:
    """The demo, then the bot and its console kept running until Ctrl-C or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    exit_code: int = await play(console_port=port, stay=stop.wait)
    return exit_code


def check_command(args: argparse.Namespace) -> int:
    """Name every staff member and staff group the bot cannot write to.

    Those are warnings (exit 0, 1 with --strict): only staff can close them, from Telegram,
    and the bot must run for that. A token refused or a database that cannot be used is
    exit 1; a Telegram that does not answer is a warning too, as `run` waits for it.
    """
    from aftercare_bot.adapters.live_config import stored_config
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.adapters.telegram.runtime.connections import telegram_bot
    from aftercare_bot.adapters.telegram.runtime.staff_check import check_staff_reach, describe
    from aftercare_bot.texts import Texts

    config = read_config(args.config)
    database_ready(config)

    async def check() -> list[Any]:
        database = Database(config.database_url)
        bot = telegram_bot(config.require_token(), config.telegram)
        try:
            settled = await stored_config(config, database, Texts.load().all_languages)
            checked.append(settled)
            async with bot:
                return await check_staff_reach(bot, settled, database)
        finally:
            await database.dispose()

    checked: list[Config] = []  # the config with the clinic settings stored in the database

    failed = EXIT_FAILED if args.strict else EXIT_OK
    try:
        results = asyncio.run(check())
    except InvalidToken:
        return fail("check", TOKEN_REFUSED)
    except NetworkError as error:
        warn(
            "check",
            f"Telegram did not answer at {config.telegram.base_url} ({error}); staff chats "
            "not checked (`run` keeps asking until it answers)",
        )
        return failed
    except TelegramError as error:
        return fail("check", f"Telegram at {config.telegram.base_url} answered: {error}")
    for reach in results:
        print(describe(reach))
    unreviewed = unreviewed_languages(checked[0] if checked else config)
    for line in unreviewed:
        print(line)
    unreachable = sum(1 for reach in results if reach.problem)
    warnings = unreachable + len(unreviewed)
    if not warnings:
        return EXIT_OK
    who = [
        *(["staff close theirs in Telegram"] if unreachable else []),
        *(["a clinician who speaks it reviews each language"] if unreviewed else []),
    ]
    print(
        f"check: {warnings} warning{'s' if warnings > 1 else ''}: the bot can run; "
        + "; ".join(who)
        + (" (failing: --strict)" if args.strict else "")
    )
    return failed


def unreviewed_languages(config: Config) -> list[str]:
    """A line for each offered language whose texts no clinician who speaks it has checked:
    a patient who reads a medical warning in a careless sentence may miss it."""
    texts, _plans = load_texts_and_plans(config)
    return [
        f"unreviewed   {texts.render(code, 'meta.language_name')} ({code}): offered in "
        f"clinic.languages, its texts not yet checked by a clinician (messages/{code}.toml)"
        for code in texts.languages
        if not texts.reviewed[code]
    ]


def status_command(args: argparse.Namespace) -> int:
    """Healthy (0), degraded (1) or down (2), with the figures behind the verdict."""
    from sqlalchemy.exc import SQLAlchemyError

    from aftercare_bot.adapters.persistence.urls import sqlite_file
    from aftercare_bot.domain.health import Health, judge

    config = read_config(args.config, "CRITICAL")
    shown = shown_url(config.database_url)
    path = sqlite_file(config.database_url)
    if path is not None and not Path(path).exists():
        # Opening it would leave an empty database behind, which `run` would then take as its.
        print(f"database   none yet: {path} (`bot.py run` or `bot.py db upgrade` creates it)")
        print(f"status     {Health.DOWN.name.lower()}")
        return int(Health.DOWN)
    try:
        snapshot, nobody_to_page, repage_after = asyncio.run(_read_status(config))
    except (SQLAlchemyError, OSError) as error:
        print(f"database   unreachable: {shown} ({type(error).__name__})")
        print(f"status     {Health.DOWN.name.lower()}")
        return int(Health.DOWN)
    health, reasons = judge(snapshot, repage_after)
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


async def _read_status(config: Config) -> tuple[Any, bool, timedelta]:
    """The health snapshot, whether an urgent report would reach no staff at all, and the
    re-page interval as the clinic set it (stored in the database)."""
    from aftercare_bot.adapters.live_config import stored_config
    from aftercare_bot.adapters.persistence.database import Database
    from aftercare_bot.adapters.persistence.health import read_snapshot
    from aftercare_bot.services.staff_reach import nobody_to_page
    from aftercare_bot.texts import Texts

    database = Database(config.database_url)
    try:
        settled = await stored_config(config, database, Texts.load().all_languages)
        async with database.unit_of_work() as uow:
            snapshot = await read_snapshot(uow.session, SystemClock().now())
            nobody = await nobody_to_page(uow, config.staff.escalation_chat_id)
        return snapshot, nobody, settled.escalation.reescalate_after
    finally:
        await database.dispose()


def add_run_command(commands: Subcommands, config: argparse.ArgumentParser) -> None:
    """`run`."""
    add_command(commands, "run", "start the bot", run_command, config)


def add_demo_command(commands: Subcommands) -> None:
    """`demo [--log-level LEVEL] [--json-logs]`: it needs no config."""
    demo = add_command(
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
    demo.add_argument(
        "--console",
        action="store_true",
        help="then keep the demo clinic running with its staff console, and print a sign-in link",
    )
    demo.add_argument(
        "--console-port",
        type=int,
        default=8080,
        help="the console's port on 127.0.0.1 (default: 8080)",
    )


def add_check_command(commands: Subcommands, config: argparse.ArgumentParser) -> None:
    """`check [--strict]`."""
    check = add_command(
        commands,
        "check",
        "name staff and the staff group the bot cannot reach (warnings; exit 1 if it cannot run)",
        check_command,
        config,
    )
    check.add_argument(
        "--strict", action="store_true", help="exit 1 on warnings too (exit 0 means no gap)"
    )


def add_status_command(commands: Subcommands, config: argparse.ArgumentParser) -> None:
    """`status`, whose exit status is the verdict."""
    add_command(
        commands,
        "status",
        "is the bot working? exit 0 healthy, 1 degraded, 2 down",
        status_command,
        config,
    )

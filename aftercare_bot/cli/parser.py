"""The argument parser: the program's options, then every command in the order help lists them."""

import argparse

from aftercare_bot import __version__
from aftercare_bot.cli import database, patients, reports, running
from aftercare_bot.cli.command import config_option


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="python bot.py", description="Aftercare follow-up bot for scalp mesotherapy clinics."
    )
    parser.add_argument("--version", action="version", version=f"aftercare_bot {__version__}")
    config = config_option()
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # One call per command rather than per group: `--help` lists commands in the order they
    # are added, and that order (most used first) interleaves the groups.
    running.add_run_command(commands, config)
    running.add_demo_command(commands)
    patients.add_enroll_command(commands, config)
    running.add_check_command(commands, config)
    patients.add_schedule_command(commands, config)
    patients.add_forget_command(commands, config)
    running.add_status_command(commands, config)
    reports.add_digest_command(commands, config)
    reports.add_export_command(commands, config)
    database.add_database_commands(commands, config)
    return parser

"""Database maintenance: `db upgrade` and `db backup FILE`."""

import argparse
import sqlite3
import sys
from pathlib import Path

from aftercare_bot.adapters.persistence.database import probe, shown_url
from aftercare_bot.cli.command import (
    EXIT_OK,
    EXIT_USAGE,
    Subcommands,
    add_command,
    fail,
    read_config,
)


def db_upgrade_command(args: argparse.Namespace) -> int:
    """Create or migrate the database named by the config."""
    config = read_config(args.config, "INFO")
    probe(config.database_url)
    from aftercare_bot.adapters.persistence import migrate  # Alembic logs as it is imported

    migrate.upgrade(config.database_url)
    shown = shown_url(config.database_url)
    print(f"database {shown} is at revision {migrate.current_revision(config.database_url)}")
    return EXIT_OK


def db_backup_command(args: argparse.Namespace) -> int:
    """Copy a SQLite database consistently, also while the bot runs."""
    from aftercare_bot.adapters.persistence.backup import BackupImpossible, backup_sqlite

    config = read_config(args.config, "INFO")
    try:
        pages = backup_sqlite(config.database_url, args.file)
    except BackupImpossible as error:
        print(f"db backup: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        return fail("db backup", f"cannot write {args.file}: {error.strerror}")
    except sqlite3.Error as error:
        return fail("db backup", f"cannot read {shown_url(config.database_url)}: {error}")
    print(f"db backup: {args.file} written ({pages} pages)")
    return EXIT_OK


def add_database_commands(commands: Subcommands, config: argparse.ArgumentParser) -> None:
    """`db ACTION`, with its actions `upgrade` and `backup`."""
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    add_command(
        db_commands, "upgrade", "create or migrate the database", db_upgrade_command, config
    )
    backup = add_command(
        db_commands,
        "backup",
        "copy a SQLite database consistently (also while the bot runs)",
        db_backup_command,
        config,
    )
    backup.add_argument("file", type=Path, help="the copy to write")

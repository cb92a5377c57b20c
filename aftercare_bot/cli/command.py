"""What every command is made of: exit statuses, the `--config` option, one-line failures.

A command is a function of the parsed arguments that returns the exit status. Commands load
the config through `read_config`, so that from then on every log line masks its secrets,
and report what stopped them in one masked line.
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from sqlalchemy.exc import DBAPIError

from aftercare_bot import logs
from aftercare_bot.adapters.persistence import schema
from aftercare_bot.adapters.persistence.database import (
    DatabaseUnusable,
    first_line,
    probe,
    shown_url,
)
from aftercare_bot.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

Command = Callable[[argparse.Namespace], int]
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

TOKEN_REFUSED = "telegram.token was refused by Telegram (check it with @BotFather)"


def config_option() -> argparse.ArgumentParser:
    """The `--config PATH` option, as a parent parser for the commands that read the config."""
    option = argparse.ArgumentParser(add_help=False)
    option.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG_PATH,
        help="config file (default: ./config.toml)",
    )
    return option


def add_command(
    commands: Subcommands,
    name: str,
    summary: str,
    handler: Command,
    *parents: argparse.ArgumentParser,
) -> argparse.ArgumentParser:
    """Add one command whose help line and description are both `summary`."""
    command = commands.add_parser(name, help=summary, description=summary, parents=list(parents))
    command.set_defaults(handler=handler)
    return command


def read_config(path: Path, log_level: str = "WARNING") -> Config:
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


def database_ready(config: Config) -> None:
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


def warn(command: str, problem: str) -> None:
    """Print one line about a problem of `command` (masked: never a token)."""
    print(logs.mask(f"{command}: {problem}"), file=sys.stderr)


def fail(command: str, problem: str) -> int:
    """Print one line about what stopped `command`, and fail."""
    warn(command, problem)
    return EXIT_FAILED

"""`python bot.py COMMAND [--config PATH]`: the command line for clinics and operators.

Mistakes in the config or the arguments get one line each and exit status 2; a database
that cannot be used, a token Telegram refuses or a Telegram that does not answer get one line
and exit status 1. Nothing expected produces a traceback, and no line holds the token.

`parser` assembles the commands; each group of them lives in its own module (`running`,
`patients`, `reports`, `database`), and what they share in `command`.
"""

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

from aftercare_bot import logs
from aftercare_bot.adapters.persistence.database import DatabaseUnusable, first_line
from aftercare_bot.cli.command import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Command, fail
from aftercare_bot.cli.parser import build_parser
from aftercare_bot.config import ConfigError
from aftercare_bot.texts import CatalogueError

__all__ = ["build_parser", "main"]


def configure_logging() -> None:
    """Readable, masked logs on stderr until the config says otherwise (see `logs`)."""
    logs.configure()


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
        return fail(_command_name(args), str(error))
    except DBAPIError as error:  # the database went away after the command had checked it
        return fail(_command_name(args), f"database: {first_line(error.orig)}")
    except KeyboardInterrupt:
        return EXIT_OK

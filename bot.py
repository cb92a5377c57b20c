"""Command line entry point: `python bot.py COMMAND [--config PATH]`."""

from aftercare_bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

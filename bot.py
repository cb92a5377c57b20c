"""Command line entry point: `python bot.py COMMAND [--config PATH]`."""

import gc

# Importing the bot makes some hundred thousand objects, all kept for the process's life: the
# collector's passes over them while they are made find nothing and cost a tenth of the
# start. They are frozen out of its reach once made, and it runs as usual from then on.
gc.disable()
from aftercare_bot.cli import main  # noqa: E402

gc.freeze()
gc.enable()

if __name__ == "__main__":
    raise SystemExit(main())

"""Bare python-telegram-bot, the footprint baseline: an Application with one handler, polling.

    python -m benchmarks.bare_bot --token T --base-url URL

What any bot made with python-telegram-bot costs before it does anything: the library, its
HTTP client, the event loop. Ours is measured the same way (benchmarks/footprint.py); what it
takes beyond this is our own.
"""

import argparse
from collections.abc import Sequence

from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

POLL_TIMEOUT_SECONDS = 10  # as aftercare_bot.bootstrap


async def start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /start, so that the process is a bot and not only a poller."""
    if update.effective_message is not None:
        await update.effective_message.reply_text("Hello")


def main(argv: Sequence[str] | None = None) -> None:
    """Poll until SIGTERM or SIGINT (run_polling stops on both)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_bot")
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    args = parser.parse_args(argv)
    application = ApplicationBuilder().token(args.token).base_url(args.base_url).build()
    application.add_handler(CommandHandler("start", start))
    application.run_polling(timeout=POLL_TIMEOUT_SECONDS, allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()

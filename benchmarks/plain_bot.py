"""The latency baseline: the same check-in conversation with python-telegram-bot alone.

    python -m benchmarks.plain_bot --token T --base-url URL

/checkin sends the first question; each button press is answered (answerCallbackQuery) and
the message edited to the next question, the last one closed with a reply below it: the same
Bot API calls our bot makes for the same taps, with the same AIORateLimiter and the same
polling settings, but no database, no triage and no texts catalogue. What it takes is what
python-telegram-bot and Telegram's limits cost; what our bot takes beyond it is our own work.
With --concurrent it handles updates side by side (python-telegram-bot's concurrent_updates),
to show what that alone would change.
"""

import argparse
import asyncio
import signal
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

POLL_TIMEOUT_SECONDS = 10  # as aftercare_bot.bootstrap
CONCURRENT_UPDATES = 64
QUESTIONS = (
    ("Redness at the injection sites? (1/6)", ("None", "Mild", "Moderate", "Severe")),
    ("Swelling? (2/6)", ("None", "Mild", "Moderate", "Severe")),
    ("Bruising? (3/6)", ("None", "Mild", "Moderate", "Severe")),
    ("Any of these signs? (4/6)", ("Done",)),
    ("A photo of your scalp? (5/6)", ("Skip",)),
    ("Anything to add? (6/6)", ("Skip",)),
)

Context = ContextTypes.DEFAULT_TYPE


def ask(step: int) -> tuple[str, InlineKeyboardMarkup]:
    """Question `step` and its buttons (callback data: "step:label")."""
    text, labels = QUESTIONS[step]
    row = [InlineKeyboardButton(label, callback_data=f"{step}:{label}") for label in labels]
    return text, InlineKeyboardMarkup([row, [InlineKeyboardButton("Back", callback_data="b")]])


async def checkin(update: Update, context: Context) -> None:
    """/checkin: the first question."""
    message = update.effective_message
    if message is not None:
        text, markup = ask(0)
        await message.reply_html(text, reply_markup=markup)


async def on_press(update: Update, context: Context) -> None:
    """Answer the press, then show the next question or close the check-in."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    step = int((query.data or "0:").split(":")[0]) + 1
    if step < len(QUESTIONS):
        text, markup = ask(step)
        await query.edit_message_text(text, reply_markup=markup)
        return
    await query.edit_message_text("Thank you: your answers are recorded.")
    if query.message is not None:
        await context.bot.send_message(query.message.chat.id, "Nothing worrying, thank you.")


async def serve(token: str, base_url: str, concurrent: bool) -> None:
    """Poll until SIGTERM."""
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(CONCURRENT_UPDATES if concurrent else False)
        .build()
    )
    application.add_handler(CommandHandler("checkin", checkin))
    application.add_handler(CallbackQueryHandler(on_press))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=POLL_TIMEOUT_SECONDS, allowed_updates=Update.ALL_TYPES
        )
        await application.start()
        await stop.wait()
        await application.updater.stop()
        await application.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags and serve."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.plain_bot")
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument(
        "--concurrent",
        action="store_true",
        help=f"handle up to {CONCURRENT_UPDATES} updates at once instead of one at a time",
    )
    args = parser.parse_args(argv)
    asyncio.run(serve(args.token, args.base_url, args.concurrent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The latency baseline: the same check-in conversation with python-telegram-bot alone.

    python -m benchmarks.plain_bot --token T --base-url URL

/checkin sends the first question; each button press is answered (answerCallbackQuery) and
the message edited to the next question, the last one closed with a reply below it: the same
Bot API calls our bot makes for the same taps, but no database, no triage and no texts
catalogue. What it takes is what python-telegram-bot and Telegram's limits cost; what our bot
takes beyond it is our own work.

Configured as a competent developer would, with our bot's concurrency and pace:
- `concurrent_updates(1024)`: up to 1,024 updates handled at once, as ours
  (adapters/telegram/runtime/update_order.py MAX_CONCURRENT_UPDATES; ours also keeps each
  chat's updates in order, which this one does not need: its patients wait for each question);
- python-telegram-bot's `AIORateLimiter` at our [delivery] max_per_second overall (29/s) and
  20 a minute per group, retrying a 429 up to 3 times; AIORateLimiter has no limit per private
  chat, so one is added as ours paces them: one a second with a burst of 3
  (aftercare_bot/adapters/telegram/runtime/pacing.py PRIVATE_BURST).
"""

import argparse
import asyncio
import signal
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

POLL_TIMEOUT_SECONDS = 10  # as aftercare_bot.bootstrap
CONCURRENT_UPDATES = 1024  # as aftercare_bot.adapters.telegram.runtime.update_order
OVERALL_PER_SECOND = 29.0  # as aftercare_bot.config DeliveryConfig.max_per_second
GROUP_PER_MINUTE = 20  # as aftercare_bot.adapters.telegram.runtime.pacing GROUP_PER_MINUTE
PRIVATE_PER_SECOND = 1.0  # as [delivery] per_chat_interval (1 s)
PRIVATE_BURST = 3  # as aftercare_bot.adapters.telegram.runtime.pacing PRIVATE_BURST
MAX_RETRIES = 3  # as aftercare_bot.adapters.telegram.runtime.rate_limiter MAX_RETRIES
QUESTIONS = (
    ("Redness at the injection sites? (1/6)", ("None", "Mild", "Moderate", "Severe")),
    ("Swelling? (2/6)", ("None", "Mild", "Moderate", "Severe")),
    ("Bruising? (3/6)", ("None", "Mild", "Moderate", "Severe")),
    ("Any of these signs? (4/6)", ("Done",)),
    ("A photo of your scalp? (5/6)", ("Skip",)),
    ("Anything to add? (6/6)", ("Skip",)),
)

Context = ContextTypes.DEFAULT_TYPE
Result = bool | dict[str, Any] | list[dict[str, Any]]
Request = Callable[..., Coroutine[Any, Any, Result]]


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter plus a pace per private chat (which it lacks): a burst of
    `PRIVATE_BURST`, then one send a second."""

    def __init__(self) -> None:
        super().__init__(
            overall_max_rate=OVERALL_PER_SECOND,
            overall_time_period=1,
            group_max_rate=GROUP_PER_MINUTE,
            group_time_period=60,
            max_retries=MAX_RETRIES,
        )
        self._private: dict[int, AsyncLimiter] = {}

    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Take the private chat's turn first (sends and edits only), then AIORateLimiter's."""
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, int) or chat_id <= 0 or not _counts(endpoint):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        limiter = self._private.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(PRIVATE_BURST, PRIVATE_BURST / PRIVATE_PER_SECOND)
            self._private[chat_id] = limiter
        async with limiter:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )


def _counts(endpoint: str) -> bool:
    """Sends and edits count against Telegram's limits (as aftercare_bot's rate limiter)."""
    name = endpoint.lower()
    return (name.startswith("send") and name != "sendchataction") or name.startswith("edit")


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


async def serve(token: str, base_url: str) -> None:
    """Poll until SIGTERM."""
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .rate_limiter(PacedRateLimiter())
        .concurrent_updates(CONCURRENT_UPDATES)
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
    args = parser.parse_args(argv)
    asyncio.run(serve(args.token, args.base_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

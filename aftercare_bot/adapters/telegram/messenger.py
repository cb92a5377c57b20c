"""The one narrow seam through which the bot sends: Telegram errors become domain errors.

`Forbidden` (blocked, deactivated) and "chat not found" mean the patient is unreachable;
network errors, 5xx and flood limits mean "try again later". Anything else is a bug in what
we sent and is raised as it is.
"""

from collections.abc import Awaitable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from aftercare_bot.domain.errors import DeliveryDeferred, RecipientUnreachable
from aftercare_bot.domain.outgoing import Outgoing


def keyboard(message: Outgoing) -> InlineKeyboardMarkup | None:
    """The inline keyboard for a message's buttons, if it has any."""
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in message.buttons
        ]
    )


_UNREACHABLE_REQUESTS = ("chat not found", "user not found", "chat_id is empty")


class Messenger:
    """Sends on behalf of the services and translates failures.

    The dispatcher gives it a plain `Bot` of its own, outside python-telegram-bot's
    AIORateLimiter: the dispatcher paces itself and handles a 429 by deferring the row,
    where the limiter would sleep through retry_after inside the call (and its per-call
    `max_retries` cannot be set to 0). Handlers' replies keep the limiter.
    """

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: int, message: Outgoing) -> int:
        """Send a message and return Telegram's message id.

        Raises:
            RecipientUnreachable: blocked, deactivated or unknown chat.
            DeliveryDeferred: a temporary failure; the caller retries later.
        """
        sent = await self._call(
            self._bot.send_message(
                chat_id,
                message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(message),
            )
        )
        return sent.message_id

    async def _call(self, request: Awaitable[Message]) -> Message:
        try:
            return await request
        except Forbidden as error:
            raise RecipientUnreachable(error.message) from error
        except RetryAfter as error:
            raise DeliveryDeferred("flood limit", retry_seconds(error.retry_after)) from error
        except BadRequest as error:
            if any(reason in error.message.lower() for reason in _UNREACHABLE_REQUESTS):
                raise RecipientUnreachable(error.message) from error
            raise
        except NetworkError as error:
            raise DeliveryDeferred(type(error).__name__) from error


def retry_seconds(retry_after: object) -> float:
    """RetryAfter.retry_after is a timedelta with PTB_TIMEDELTA, an int without."""
    total_seconds = getattr(retry_after, "total_seconds", None)
    if callable(total_seconds):
        return float(total_seconds())
    return float(retry_after)  # type: ignore[arg-type]

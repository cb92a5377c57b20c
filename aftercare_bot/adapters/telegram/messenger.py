"""The one seam through which the bot sends, replies and edits.

The dispatcher's `Messenger` turns Telegram errors into domain errors: `Forbidden` (blocked,
deactivated) and "chat not found" mean the patient is unreachable; network errors, 5xx and
flood limits mean "try again later"; anything else is a bug in what we sent and is raised.

Handlers and notices use the functions below it: every text goes as HTML with its message's
buttons, so no caller repeats the Bot API's options. A reply or send that Telegram refuses is
raised (the error handler marks a blocked chat, and a caller that must go on catches it); an
edit returns whether it took, since an edit that fails (the message is gone, or already
shows the same) never matters more than the action that asked for it.
"""

import logging
from collections.abc import Awaitable
from enum import Enum

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

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

logger = logging.getLogger(__name__)

# What may stand under a message besides its own inline buttons.
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


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


def _outgoing(message: Outgoing | str) -> Outgoing:
    return message if isinstance(message, Outgoing) else Outgoing(message)


def _markup(message: Outgoing, markup: Markup | None) -> Markup | None:
    return markup if markup is not None else keyboard(message)


async def reply(
    update: Update,
    message: Outgoing | str,
    *,
    markup: Markup | None = None,
    preview: bool = True,
) -> Message:
    """Answer in the chat the update came from (a handler only replies to a message or a
    press, which always come from one). `preview=False` for a one-time link: Telegram would
    fetch a preview of it, and a fetched link must not count as an opened one."""
    target = update.effective_message
    if target is None:
        raise LookupError(f"update {update.update_id} came from no chat: nowhere to reply")
    outgoing = _outgoing(message)
    return await target.reply_html(
        outgoing.text,
        reply_markup=_markup(outgoing, markup),
        link_preview_options=None if preview else LinkPreviewOptions(is_disabled=True),
    )


async def send(
    bot: Bot,
    chat_id: int,
    message: Outgoing | str,
    *,
    markup: Markup | None = None,
    reply_to: int | None = None,
) -> Message:
    """Send to a chat (under message `reply_to` if it still exists)."""
    outgoing = _outgoing(message)
    if reply_to is None:
        return await bot.send_message(
            chat_id,
            outgoing.text,
            parse_mode=ParseMode.HTML,
            reply_markup=_markup(outgoing, markup),
        )
    return await bot.send_message(
        chat_id,
        outgoing.text,
        parse_mode=ParseMode.HTML,
        reply_markup=_markup(outgoing, markup),
        reply_to_message_id=reply_to,
        allow_sending_without_reply=True,
    )


class Edit(Enum):
    """What became of an edit."""

    DONE = "done"
    UNCHANGED = "unchanged"  # the message already read so
    REFUSED = "refused"  # gone, too old, or not ours to edit: Telegram said no
    FAILED = "failed"  # network or flood: it may work later


async def edit(bot: Bot, chat_id: int, message_id: int, message: Outgoing | str) -> Edit:
    """Make message `message_id` read `message`, its buttons included."""
    outgoing = _outgoing(message)
    return await _edit(
        bot.edit_message_text(
            outgoing.text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(outgoing),
        ),
        chat_id,
    )


async def edit_pressed(update: Update, message: Outgoing | str) -> Edit:
    """Make the message whose button was pressed read `message`."""
    pressed = _pressed(update)
    if pressed is None:
        return Edit.REFUSED
    return await edit(pressed.get_bot(), pressed.chat_id, pressed.message_id, message)


async def set_buttons(update: Update, buttons: Outgoing | None) -> Edit:
    """Give the pressed message `buttons`' buttons (None, or none: take them off)."""
    pressed = _pressed(update)
    if pressed is None:
        return Edit.REFUSED
    markup = keyboard(buttons) if buttons is not None else None
    return await _edit(pressed.edit_reply_markup(reply_markup=markup), pressed.chat_id)


def _pressed(update: Update) -> Message | None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return None
    return query.message


async def _edit(request: Awaitable[object], chat_id: int) -> Edit:
    try:
        await request
    except BadRequest as error:
        if "not modified" in error.message.lower():
            return Edit.UNCHANGED
        logger.info("edit in chat %s refused: %s", chat_id, error.message)
        return Edit.REFUSED
    except Forbidden as error:
        logger.info("edit in chat %s refused: %s", chat_id, error.message)
        return Edit.REFUSED
    except TelegramError as error:
        logger.warning("edit in chat %s failed: %s", chat_id, error.message)
        return Edit.FAILED
    return Edit.DONE


async def reply_file(update: Update, content: bytes, filename: str, caption: str) -> None:
    """Answer with a file (a CSV, a JSON copy of someone's data)."""
    target = update.effective_message
    if target is not None:
        await target.reply_document(
            InputFile(content, filename=filename), caption=caption, parse_mode=ParseMode.HTML
        )


async def reply_picture(update: Update, png: bytes, caption: str) -> None:
    """Answer with a picture (a chart)."""
    target = update.effective_message
    if target is not None:
        await target.reply_photo(png, caption=caption, parse_mode=ParseMode.HTML)


async def send_picture(bot: Bot, chat_id: int, png: bytes, caption: str) -> Message:
    """Send a picture (a QR code to hand to a patient)."""
    return await bot.send_photo(chat_id, png, caption=caption, parse_mode=ParseMode.HTML)

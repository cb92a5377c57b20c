"""The handlers' sends take their turns from the dispatcher's pacer, chat by chat.

python-telegram-bot's AIORateLimiter keeps its own 30/s overall budget (next to the
dispatcher's pacer that would be two budgets adding up to more than Telegram allows), serves a
group's sends strictly in arrival order (an urgent incident post waited behind routine posts),
has no pace for a private chat, and pauses every send on any 429. Here every send and edit takes
a turn from the one pacer, at the priority its caller set (`pacing.sent_as`); a 429 holds only
its chat and the request is tried again on that chat's next turn; a send to a private chat that
has blocked the bot is dropped without asking Telegram.
"""

from collections.abc import Callable, Container, Coroutine
from typing import Any

from telegram.error import Forbidden, RetryAfter
from telegram.ext import BaseRateLimiter

from aftercare_bot.adapters.telegram.messenger import retry_seconds
from aftercare_bot.adapters.telegram.runtime.pacing import current_priority
from aftercare_bot.services.delivery import Pacer

# Retries of one request after a 429 before the handler sees the error.
MAX_RETRIES = 3

# Calls that count against Telegram's flood limits (the ones that put something in a chat).
# The simulator keeps its own list (sandbox/rate_limits.py) on purpose: it stands in for
# Telegram, so the bot must not read its model of the limits from it.
_EXTRA_LIMITED = frozenset(
    {
        "editmessagetext",
        "editmessagecaption",
        "editmessagemedia",
        "editmessagereplymarkup",
        "copymessage",
        "copymessages",
        "forwardmessage",
        "forwardmessages",
    }
)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Request = Callable[..., Coroutine[Any, Any, Result]]


def counts_against_limits(endpoint: str) -> bool:
    """Sends and edits count; answers to presses, chat actions and reads do not."""
    name = endpoint.lower()
    return (name.startswith("send") and name != "sendchataction") or name in _EXTRA_LIMITED


class SharedBudgetLimiter(BaseRateLimiter[int]):
    """python-telegram-bot's rate limiter for the handlers' bot, on the dispatcher's pacer."""

    def __init__(self, pacer: Pacer, blocked: Container[int] = frozenset()) -> None:
        self._pacer = pacer
        self._blocked = blocked

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Take a turn in the request's chat before each attempt of a send or edit; after a
        429, hold that chat and try again on its next turn."""
        if not counts_against_limits(endpoint):
            return await callback(*args, **kwargs)
        chat_id, priority = _chat_of(data), current_priority()
        attempt = 0
        while True:
            self._unless_blocked(chat_id)
            await self._pacer.wait_urgent_turn(chat_id, priority)
            self._unless_blocked(chat_id)  # the block may have come while it waited
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self._pacer.refused(chat_id, retry_seconds(error.retry_after))
                if attempt >= MAX_RETRIES:
                    raise
                attempt += 1

    def _unless_blocked(self, chat_id: int | None) -> None:
        """A reply queued before the block became known: Telegram would refuse it anyway."""
        if chat_id is not None and chat_id > 0 and chat_id in self._blocked:
            raise Forbidden("Forbidden: bot was blocked by the user")


def _chat_of(data: dict[str, Any]) -> int | None:
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None

"""The handlers' replies draw from the dispatcher's budget, ahead of reminders.

python-telegram-bot's AIORateLimiter keeps its own 30/s overall budget; next to the
dispatcher's pacer that would be two budgets adding up to more than Telegram allows, so a
reminder burst at full pace would meet 429s as soon as patients answered. Here the overall
limit is the pacer's (as an urgent turn), and AIORateLimiter keeps doing what the pacer does
not: the 20-a-minute limit in groups and retrying after a 429.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

from aftercare_bot.adapters.telegram.messenger import retry_seconds
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

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer
        self._groups_and_retries = AIORateLimiter(overall_max_rate=0, max_retries=MAX_RETRIES)

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
        """Take an urgent turn before each attempt of a send or edit."""
        request = callback
        if counts_against_limits(endpoint):
            request = self._paced(callback, _chat_of(data))
        return await self._groups_and_retries.process_request(
            request, args, kwargs, endpoint, data, rate_limit_args
        )

    def _paced(self, callback: Request, chat_id: int | None) -> Request:
        pacer = self._pacer

        async def paced(*args: Any, **kwargs: Any) -> Result:
            await pacer.wait_urgent_turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                pacer.slow_down(retry_seconds(error.retry_after))
                raise

        return paced


def _chat_of(data: dict[str, Any]) -> int | None:
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None

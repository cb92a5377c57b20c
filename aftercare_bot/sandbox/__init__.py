"""A local Telegram Bot API simulator for demos and end-to-end tests.

The real python-telegram-bot Application talks to it over HTTP on 127.0.0.1
(`ApplicationBuilder().base_url(sim.base_url).base_file_url(sim.base_file_url)`), while tests
and the demo act as users through `SimUser` and read the conversation from the transcript.
"""

from .chats import SimChat
from .errors import ApiError
from .faults import Faults
from .rate_limits import RateLimits
from .simulator import DEFAULT_TOKEN, TelegramSimulator
from .transcript import TranscriptEvent
from .users import SimUser
from .world import ApiCall, BotIdentity

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "BotIdentity",
    "Faults",
    "RateLimits",
    "SimChat",
    "SimUser",
    "TelegramSimulator",
    "TranscriptEvent",
]

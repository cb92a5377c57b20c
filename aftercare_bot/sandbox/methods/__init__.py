"""Implementations of the Bot API methods the simulator supports.

Importing the submodules registers their handlers in `HANDLERS`.
"""

from . import chats, commands, media, messages, updates
from .registry import HANDLERS, Handler, Params

__all__ = ["HANDLERS", "Handler", "Params", "chats", "commands", "media", "messages", "updates"]

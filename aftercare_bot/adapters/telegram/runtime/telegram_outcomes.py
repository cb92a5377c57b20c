"""Which of Telegram's refusals are outcomes to act on quietly, and which are failures.

A patient who blocked the bot, deleted their account or whose chat is gone is a fact about
the patient, not a fault in the bot. An edit to identical content, a press answered too late
and an edit of a message already deleted change nothing anyone would see. Only the rest is
unexpected and deserves a traceback and the operators' attention.
"""

from enum import Enum

from telegram.error import BadRequest, Forbidden

# A Forbidden naming a group or channel is about a staff group, never a patient's chat.
_GROUP_WORDS = ("group", "channel")
# Requests refused because the person or their chat is gone (Forbidden or BadRequest).
_GONE = ("chat not found", "user not found", "user is deactivated")
# Requests that changed nothing: the client already shows what the bot meant.
_QUIET = (
    "message is not modified",
    "query is too old",
    "query id is invalid",
    "message to edit not found",
)


class Outcome(Enum):
    """What a Telegram error means for the bot."""

    BLOCKED = "blocked"  # the person blocked the bot (a my_chat_member update follows)
    CHAT_GONE = "chat gone"  # a deactivated account, an unknown chat: nothing will follow
    QUIET = "quiet"  # nothing visible changed; no one needs to hear of it
    UNEXPECTED = "unexpected"

    @property
    def patient_gone(self) -> bool:
        """Telegram refused a private chat for good: a patient there is unreachable."""
        return self in (Outcome.BLOCKED, Outcome.CHAT_GONE)


def classify(error: BaseException | None) -> Outcome:
    """What `error` (the handler's failure) means; anything not a known refusal is UNEXPECTED."""
    if not isinstance(error, Forbidden | BadRequest):
        return Outcome.UNEXPECTED
    text = error.message.lower()
    if isinstance(error, Forbidden):
        if any(word in text for word in _GROUP_WORDS):
            return Outcome.UNEXPECTED  # a staff group lost: its own fallback, and operators told
        return Outcome.BLOCKED if "blocked" in text else Outcome.CHAT_GONE
    if any(reason in text for reason in _GONE):
        return Outcome.CHAT_GONE
    if any(reason in text for reason in _QUIET):
        return Outcome.QUIET
    return Outcome.UNEXPECTED

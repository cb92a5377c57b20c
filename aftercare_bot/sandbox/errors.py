"""Errors the simulated Bot API answers with, worded exactly as Telegram words them.

Bots branch on these strings (python-telegram-bot even strips the "Bad Request: " prefix and
capitalises the rest), so the wording is part of the contract being simulated.
"""

from __future__ import annotations

from typing import Any

CHAT_NOT_FOUND = "Bad Request: chat not found"
CHAT_ID_EMPTY = "Bad Request: chat_id is empty"
TEXT_EMPTY = "Bad Request: message text is empty"
TEXT_TOO_LONG = "Bad Request: message is too long"
CAPTION_TOO_LONG = "Bad Request: message caption is too long"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
CANT_EDIT = "Bad Request: message can't be edited"
NO_TEXT_TO_EDIT = "Bad Request: there is no text in the message to edit"
NO_CAPTION_TO_EDIT = "Bad Request: there is no caption in the message to edit"
DELETE_NOT_FOUND = "Bad Request: message to delete not found"
MESSAGE_ID_MISSING = "Bad Request: message identifier is not specified"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BUTTON_DATA_INVALID = "Bad Request: BUTTON_DATA_INVALID"
BUTTON_URL_INVALID = "Bad Request: BUTTON_URL_INVALID"
BUTTON_TYPE_INVALID = "Bad Request: BUTTON_TYPE_INVALID"
INLINE_TEXT_BUTTON = "Bad Request: text buttons are unallowed in the inline keyboard"
MARKUP_INVALID = "Bad Request: can't parse reply keyboard markup JSON object"
UNSUPPORTED_PARSE_MODE = "Bad Request: unsupported parse_mode"
WRONG_FILE_ID = "Bad Request: wrong file identifier/HTTP URL specified"
FILE_TYPE_MISMATCH = "Bad Request: type of file mismatch"
URL_UNREACHABLE = "Bad Request: failed to get HTTP URL content"
FILE_TOO_BIG = "Bad Request: file is too big"
USER_NOT_FOUND = "Bad Request: user not found"
PRIVATE_CHAT_LEAVE = "Bad Request: chat member status can't be changed in private chats"
GROUP_UPGRADED = "Bad Request: group chat was upgraded to a supergroup chat"
WEBHOOK_NOT_HTTPS = "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
NOT_SUPPORTED = "Bad Request: method not supported by the simulator"
INLINE_NOT_SUPPORTED = "Bad Request: inline messages are not supported by the simulator"

BLOCKED = "Forbidden: bot was blocked by the user"
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"

POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)

HTTP_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """A Bot API failure carried up to the HTTP layer, which renders it as Telegram does."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """Render the body Telegram sends for a failed call."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    """Build a 400; `description` may omit the "Bad Request: " prefix."""
    if not description.startswith("Bad Request: "):
        description = f"Bad Request: {description}"
    return ApiError(400, description)


def forbidden(description: str) -> ApiError:
    """Build a 403 with Telegram's wording."""
    return ApiError(403, description)


def too_many_requests(retry_after: int) -> ApiError:
    """Build the 429 that makes clients back off for `retry_after` seconds."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def migrated(new_chat_id: int) -> ApiError:
    """Build the 400 that tells a bot a basic group became a supergroup."""
    return ApiError(400, GROUP_UPGRADED, {"migrate_to_chat_id": new_chat_id})


def http_error(status: int, description: str | None = None) -> ApiError:
    """Build a bare HTTP-level failure such as 500 or 502."""
    return ApiError(status, description or HTTP_REASONS.get(status, f"Error {status}"))


NOT_FOUND = ApiError(404, "Not Found")
UNAUTHORIZED = ApiError(401, "Unauthorized")

"""Splitting long staff lists, such as the daily digest, into messages Telegram accepts.

Telegram refuses a message longer than 4096 characters, and a busy clinic's digest can be
longer. The lines are kept whole and in order, so that each message reads on its own; a line is
cut only when it could not fit in any message, and then nothing of it is lost.

Length is measured on the HTML source, in UTF-16 code units. Parsing HTML only ever shortens a
text (tags vanish, `&amp;` becomes one character), so the source is never shorter than what
Telegram measures. UTF-16 rather than `len()` because an emoji such as 🔬 is one Python
character but two UTF-16 units, and the Bot API sandbox counts UTF-16 units: by counting them
here a page fits whichever of the two a server counts.
"""

from collections.abc import Sequence

MESSAGE_LIMIT = 4096
"""The most characters Telegram accepts in one text message."""


def message_length(text: str) -> int:
    """The length of `text` in UTF-16 code units: never less than Telegram's own count."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def paginate(
    lines: Sequence[str], *, limit: int = MESSAGE_LIMIT, header_room: int = 0
) -> list[list[str]]:
    """The lines grouped into pages, in order, each fitting one message when joined by newlines.

    `header_room` is kept free on every page for a header the caller adds, such as "2/3".
    A line too long for any page is cut into several (see `_cut`); every other line is kept as
    it is. No lines give one empty page, so that a caller always has a message to send.

    Raises:
        ValueError: the room left on a page is under 2 units, too little for some characters.
    """
    room = limit - header_room
    if room < 2:
        raise ValueError(f"limit {limit} less header_room {header_room} leaves no room for text")
    pages: list[list[str]] = [[]]
    used = 0
    for line in (piece for whole in lines for piece in _cut(whole, room)):
        length = message_length(line)
        if pages[-1] and used + 1 + length > room:
            pages.append([])
            used = 0
        used += length + 1 if pages[-1] else length
        pages[-1].append(line)
    return pages


def _cut(line: str, room: int) -> list[str]:
    """`line` as pieces of at most `room` units each, or as it is when it already fits.

    Each cut is at the last whitespace that lets the piece before it fit, and that whitespace
    becomes the line break; a piece with no whitespace to cut at is cut hard at the limit.
    Whitespace at the very start of a piece is not used, so that no piece is empty.
    """
    pieces = []
    start = 0
    while (end := _fitting_end(line, start, room)) < len(line):
        space = _last_whitespace(line, start, end)
        if space is None:
            pieces.append(line[start:end])
            start = end
        else:
            pieces.append(line[start:space])
            start = space + 1
    pieces.append(line[start:])
    return pieces


def _fitting_end(line: str, start: int, room: int) -> int:
    """Where the longest piece of `line` from `start` that fits in `room` units ends."""
    used = 0
    for index in range(start, len(line)):
        used += message_length(line[index])
        if used > room:
            return index
    return len(line)


def _last_whitespace(line: str, start: int, end: int) -> int | None:
    """The last whitespace after `start` and at most at `end`, where `line[start:end]` fits.

    The whitespace at `end` itself counts: cutting there drops that space, not a letter.
    """
    for index in range(end, start, -1):
        if line[index].isspace():
            return index
    return None

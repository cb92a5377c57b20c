"""The name a patient is enrolled under: a first name only, as the bot promises patients.

The consent text tells patients that, of who they are, only their first name is stored.
This rule keeps that promise at the door, whichever way staff enroll (Telegram, the command
line, a CSV import): no digits, no phone number, no @ or e-mail/web address, at most three
words. Hyphens, apostrophes and every alphabet are names (María José, Jean-Pierre, O'Neil,
Олександр, 李).
"""

import re
from enum import StrEnum

from aftercare_bot.domain.patients import InvalidPatientName, clean_display_name

MAX_NAME_WORDS = 3  # "María José", "Anna Maria Luisa" pass; a surname after them does not
MIN_PHONE_DIGITS = 7

_PHONE = re.compile(r"\+?\(?\d[\d\s().\-/]*\d")
# An @ anywhere (e-mail, @username), a scheme, or a dotted domain such as "x.io" or "mail.ru".
_ADDRESS = re.compile(r"@|://|\b(?:www\.|[^\W_][\w.-]*\.[a-z]{2,}\b)")


class NameProblem(StrEnum):
    """Why a name was refused; each front end renders its own short reason."""

    NOT_A_NAME = "not_a_name"  # empty, longer than 64 characters, or no letters at all
    PHONE = "phone"
    ADDRESS = "address"
    DIGITS = "digits"
    TOO_MANY_WORDS = "too_many_words"


class NotAFirstName(InvalidPatientName):
    """A name that is not a first name only; `problem` says why.

    The message names the problem, never the name: refusals may be logged.
    """

    def __init__(self, problem: NameProblem) -> None:
        super().__init__(f"not a first name: {problem}")
        self.problem = problem


def first_name_only(text: str) -> str:
    """The name as it will be stored: whitespace collapsed, checked to be a first name only.

    Raises:
        NotAFirstName: digits, a phone number, an @ or address, more than three words, or
            (the long-standing rule) empty, longer than 64 characters, or no letters.
    """
    name = " ".join(text.split())
    problem = _shape_problem(name)
    if problem is not None:
        raise NotAFirstName(problem)
    try:
        return clean_display_name(name)
    except InvalidPatientName:
        raise NotAFirstName(NameProblem.NOT_A_NAME) from None


def _shape_problem(name: str) -> NameProblem | None:
    """Contact details first: a phone number also has digits, but "a phone number" says more."""
    if any(_digit_count(match[0]) >= MIN_PHONE_DIGITS for match in _PHONE.finditer(name)):
        return NameProblem.PHONE
    if _ADDRESS.search(name):
        return NameProblem.ADDRESS
    if any(char.isdigit() for char in name):
        return NameProblem.DIGITS
    if len(name.split()) > MAX_NAME_WORDS:
        return NameProblem.TOO_MANY_WORDS
    return None


def _digit_count(text: str) -> int:
    return sum(char.isdigit() for char in text)

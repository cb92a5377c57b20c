"""Privacy choices a clinic makes about patients' data."""

from enum import StrEnum


class DeleteMode(StrEnum):
    """What /delete keeps: nothing, or check-in answers without name, chat or code."""

    ERASE = "erase"
    ANONYMISE = "anonymise"

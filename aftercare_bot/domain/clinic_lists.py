"""The clinic's practitioners and products (with their batches) as lists, so that "Dr Petrova"
and "Petrova" are one practitioner in the statistics and a batch is one batch in the safety
signal.

Staff pick from the lists; a name typed that matches an entry but for case, spacing,
punctuation or a title ("dr petrova", "Petrova") is taken as that entry. Names that are
probably the same person or product but do not match so plainly ("Petrova" and "Petrov a",
"Dermaheal HSR" and "Dermaheal-HSR 5ml") are offered to admins to merge, never merged alone.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from difflib import SequenceMatcher
from itertools import combinations

# Titles left out when names are compared ("Dr Petrova" is "Petrova"), in the shipped languages.
TITLES = frozenset(
    {
        "dr", "doctor", "dra", "doc", "prof", "professor", "dott", "dottssa", "dottoressa",
        "docteur", "doktor", "doutor", "doutora", "др", "доктор", "лікар", "врач", "mr", "mrs",
        "ms", "miss", "sr", "sra", "nurse", "rn",
    }
)  # fmt: skip
# Two keys at least this alike (difflib's ratio) are offered as near-duplicates.
SIMILAR = 0.85
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


@dataclass
class Practitioner:
    """Someone who performs sessions, as staff pick them at enrollment."""

    name: str
    added_at: datetime
    active: bool = True
    id: int | None = None


@dataclass
class Product:
    """A product injected in sessions."""

    name: str
    added_at: datetime
    active: bool = True
    id: int | None = None


@dataclass
class Batch:
    """One batch (lot) of a product, with its expiry when known."""

    product_id: int
    lot: str
    expires_on: date | None = None
    active: bool = True
    id: int | None = None

    def usable(self, today: date) -> bool:
        """Offered at enrollment: active and not past its expiry."""
        return self.active and (self.expires_on is None or self.expires_on >= today)


def name_key(name: str) -> str:
    """A name as it is compared: without case, accents' differences in form, punctuation,
    titles or extra spaces ("Dr. Petrova " and "petrova" give the same key)."""
    # The Russian and Ukrainian "Dr", written with a hyphen, is one title, not two letters.
    folded = unicodedata.normalize("NFKC", name).casefold().replace("д-р", "др")  # noqa: RUF001
    text = _PUNCTUATION.sub(" ", folded)
    words = [word for word in text.split() if word not in TITLES]
    return " ".join(words) or " ".join(text.split())


def matching(typed: str, names: list[str]) -> str | None:
    """The listed name `typed` stands for (the same key), or None."""
    key = name_key(typed)
    return next((name for name in names if name_key(name) == key), None)


def near_duplicates(names: list[str]) -> list[tuple[str, str]]:
    """Pairs of listed names that are probably one: the same key, one's words all in the
    other's ("Petrova" and "Anna Petrova"), or keys alike by `SIMILAR` or more."""
    pairs = []
    for first, second in combinations(sorted(names, key=str.casefold), 2):
        a, b = name_key(first), name_key(second)
        words_a, words_b = set(a.split()), set(b.split())
        if (
            a == b
            or (words_a and words_b and (words_a <= words_b or words_b <= words_a))
            or SequenceMatcher(None, a, b).ratio() >= SIMILAR
        ):
            pairs.append((first, second))
    return pairs

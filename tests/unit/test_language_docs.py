"""The README's word on languages matches the catalogues: every language in the table with its
true review state, and every key it asks a reviewer to read first exists."""

import fnmatch
import re
from pathlib import Path

from aftercare_bot.texts import Texts

README = (Path(__file__).parents[2] / "README.md").read_text("utf-8")


def _section() -> str:
    start = README.index("## Texts and languages")
    return README[start : README.index("\n## ", start + 1)]


def test_the_table_lists_every_catalogue_with_its_review_state() -> None:
    texts = Texts.load()
    rows = dict(re.findall(r"^\| [^|]+ \| `(\w+)\.toml` \| ([^|]+) \|$", _section(), re.M))
    assert set(rows) == set(texts.all_languages)
    for code, state in rows.items():
        assert state.startswith("yes") == texts.reviewed[code], code


def test_every_key_a_reviewer_reads_first_exists() -> None:
    section = _section()
    flat = " ".join(section.split())
    first = flat[flat.index("A reviewer should read") : flat.index("Every catalogue")]
    named = re.findall(r"`([a-z_]+\.[a-z_*]+)`", first)
    keys = Texts.load().keys()
    assert len(named) > 10
    for pattern in named:
        assert fnmatch.filter(keys, pattern), f"README names {pattern}, no such text"

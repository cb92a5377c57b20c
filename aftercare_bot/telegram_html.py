"""The HTML parse mode, as strict as Telegram's own parser.

Bots that interpolate user input into HTML without escaping it fail in production with
"can't parse entities"; a lenient parser would hide exactly that bug, so this one reproduces
Telegram's rules and error messages (byte offsets are UTF-8 offsets in the source text).

Two users: the simulator answers sends with it as Telegram would, and the texts are checked
with it at start-up (every catalogue, and a clinic's own sentences), so a broken tag in a
translation stops the bot from starting instead of a message from going out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SPECIAL_TAGS = frozenset({"a", "span", "blockquote", "tg-emoji"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR = re.compile(r"""([A-Za-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_CHAR_REF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le")) // 2


class EntityParseError(ValueError):
    """Raised with the text Telegram puts after "can't parse entities: "."""


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and the entities that `source` in HTML parse mode produces."""
    parser = _Parser(source)
    parser.run()
    return "".join(parser.out), sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.out: list[str] = []
        self.length = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def run(self) -> None:
        index = 0
        while index < len(self.source):
            char = self.source[index]
            if char == "<":
                index = self._tag(index)
            elif char == "&":
                index = self._char_ref(index)
            else:
                self._emit(char)
                index += 1
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.length += utf16_len(text)

    def _char_ref(self, index: int) -> int:
        match = _CHAR_REF.match(self.source, index)
        if match is None:
            self._emit("&")
            return index + 1
        self._emit(html.unescape(match.group()))
        return match.end()

    def _byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def _tag(self, index: int) -> int:
        close = self.source.find(">", index)
        if close == -1:
            raise EntityParseError(f"Unclosed start tag at byte offset {self._byte_offset(index)}")
        body = self.source[index + 1 : close]
        if body.startswith("/"):
            self._end_tag(body[1:].strip().lower(), index)
        else:
            self._start_tag(body, index)
        return close + 1

    def _start_tag(self, body: str, index: int) -> None:
        match = _NAME.match(body)
        name = match.group().lower() if match else ""
        if name not in _SIMPLE_TAGS and name not in _SPECIAL_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {self._byte_offset(index)}'
            )
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(body, len(name))
        }
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        self.stack.append(_OpenTag(name=name, start=self.length, attrs=attrs))

    def _end_tag(self, name: str, index: int) -> None:
        offset = self._byte_offset(index)
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
        top = self.stack[-1]
        if top.name != name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        entity = self._entity_for(top)
        if entity is not None and entity["length"] > 0:
            self.entities.append(entity)

    def _entity_for(self, tag: _OpenTag) -> dict[str, Any] | None:
        entity: dict[str, Any] = {"offset": tag.start, "length": self.length - tag.start}
        if tag.name in _SIMPLE_TAGS:
            entity["type"] = _SIMPLE_TAGS[tag.name]
            return self._code_in_pre(tag, entity)
        if tag.name == "span":
            entity["type"] = "spoiler"
        elif tag.name == "a":
            if not tag.attrs.get("href"):
                return None
            entity.update(type="text_link", url=tag.attrs["href"])
        elif tag.name == "blockquote":
            expandable = "expandable" in tag.attrs
            entity["type"] = "expandable_blockquote" if expandable else "blockquote"
        else:
            entity.update(type="custom_emoji", custom_emoji_id=tag.attrs.get("emoji-id", ""))
        return entity

    def _code_in_pre(self, tag: _OpenTag, entity: dict[str, Any]) -> dict[str, Any] | None:
        """`<pre><code class="language-x">` is one pre entity with a language, not two."""
        language = tag.attrs.get("class", "").removeprefix("language-")
        inside_pre = bool(self.stack) and self.stack[-1].name == "pre"
        if tag.name == "code" and inside_pre and language:
            self.stack[-1].attrs["language"] = language
            return None
        if tag.name == "pre" and tag.attrs.get("language"):
            entity["language"] = tag.attrs["language"]
        return entity

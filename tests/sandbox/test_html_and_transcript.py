"""The HTML parse mode and transcript rendering, checked directly (no HTTP involved)."""

from __future__ import annotations

import pytest

from aftercare_bot.sandbox import TelegramSimulator
from aftercare_bot.sandbox.entities import detect_entities
from aftercare_bot.telegram_html import EntityParseError, parse_html


def test_nested_tags_links_and_code_blocks_become_entities() -> None:
    text, entities = parse_html(
        '<b>Bold <i>both</i></b> <a href="https://x.test/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x = 1</code></pre>'
    )
    assert text == "Bold both link x = 1"
    assert entities == [
        {"offset": 0, "length": 9, "type": "bold"},
        {"offset": 5, "length": 4, "type": "italic"},
        {"offset": 10, "length": 4, "type": "text_link", "url": "https://x.test/?a=1&b=2"},
        {"offset": 15, "length": 5, "type": "pre", "language": "python"},
    ]


def test_escaped_user_input_is_safe_and_numeric_entities_decode() -> None:
    assert parse_html("a &lt;b&gt; &#8364; &unknown;") == ("a <b> € &unknown;", [])


def test_spans_need_the_spoiler_class() -> None:
    assert parse_html('<span class="tg-spoiler">x</span>')[1][0]["type"] == "spoiler"
    with pytest.raises(EntityParseError, match='Tag "span" must have class "tg-spoiler"'):
        parse_html("<span>x</span>")


def test_byte_offsets_in_errors_count_utf8_bytes() -> None:
    with pytest.raises(EntityParseError, match="Unexpected end tag at byte offset 5"):
        parse_html("héé</b>")


def test_commands_anywhere_in_a_typed_text_get_entities() -> None:
    assert detect_entities("😀 /start@aftercare_demo_bot x /help") == [
        {"type": "bot_command", "offset": 3, "length": 25},
        {"type": "bot_command", "offset": 31, "length": 5},
    ]
    assert detect_entities("and/or 1/2") == []


async def test_group_events_name_the_group_and_wait_for_times_out_helpfully(
    sim: TelegramSimulator,
) -> None:
    alice = sim.add_user("Alice", last_name="Smith")
    group = sim.add_group("Clinic staff", [alice])
    await alice.send("morning\nall", chat=group)
    await alice.block_bot()
    assert [line[10:] for line in sim.transcript_lines()] == [
        "Alice Smith -> Clinic staff: morning\n          all",
        "Alice Smith blocked the bot",
    ]
    with pytest.raises(TimeoutError, match="Alice Smith blocked the bot"):
        await sim.wait_for(lambda event: event.from_bot, timeout=0.01)

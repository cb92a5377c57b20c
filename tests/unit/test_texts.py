import pytest

from aftercare_bot.texts import CatalogueError, Html, Texts, available_languages, placeholders


def test_every_language_has_the_same_keys_and_placeholders_as_english() -> None:
    texts = Texts.load()
    assert texts.languages == available_languages()
    assert {"en", "ru"} <= set(texts.languages)


def test_a_missing_key_in_one_language_is_caught_at_start() -> None:
    with pytest.raises(CatalogueError, match="missing"):
        Texts({"en": {"a": "x", "b": "y"}, "ru": {"a": "x"}})


def test_a_translation_with_different_placeholders_is_caught_at_start() -> None:
    with pytest.raises(CatalogueError, match="placeholders"):
        Texts({"en": {"a": "Hello {name}"}, "ru": {"a": "Привет {nmae}"}})


def test_what_a_user_typed_is_escaped_but_trusted_markup_is_not() -> None:
    texts = Texts({"en": {"hi": "Hello {name}, {link}"}})
    rendered = texts.render("en", "hi", name="<b>Ann & co</b>", link=Html("<a href='x'>here</a>"))
    assert rendered == "Hello &lt;b&gt;Ann &amp; co&lt;/b&gt;, <a href='x'>here</a>"


def test_a_telegram_language_code_is_matched_to_a_catalogue_or_falls_back() -> None:
    texts = Texts.load()
    assert texts.language_for("ru") == "ru"
    assert texts.language_for("en-GB") == "en"
    assert texts.language_for("de", fallback="ru") == "ru"
    assert texts.language_for(None) == "en"


def test_an_unknown_language_is_rendered_in_the_default_one() -> None:
    texts = Texts({"en": {"a": "A"}, "ru": {"a": "Б"}})
    assert texts.render("fr", "a") == "A"


def test_placeholders_are_read_from_format_fields() -> None:
    assert placeholders("{a} and {b} but not {{c}}") == {"a", "b"}


def test_plural_texts_follow_each_languages_grammar() -> None:
    texts = Texts.load()
    assert texts.render("en", "buttons.in_weeks", count=1) == "In 1 week"
    assert texts.render("en", "buttons.in_weeks", count=3) == "In 3 weeks"
    assert texts.render("ru", "buttons.in_weeks", count=2) == "Через 2 недели"
    assert texts.render("ru", "buttons.in_weeks", count=5) == "Через 5 недель"
    assert texts.render("ru", "buttons.in_weeks", count=21) == "Через 21 неделю"


def test_a_plural_text_missing_a_form_its_language_needs_is_caught_at_start() -> None:
    with pytest.raises(CatalogueError, match=r"lacks plural forms \['few', 'many'\]"):
        Texts(
            {
                "en": {"w#one": "{count} week", "w#other": "{count} weeks"},
                "ru": {"w#one": "{count} неделя", "w#other": "{count} недели"},
            }
        )

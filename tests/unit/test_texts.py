import pytest
from babel import Locale

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


def test_the_shipped_catalogues_pass_the_grammar_and_html_checks_left_to_the_tests() -> None:
    # The start-up checks the shipped catalogues' keys and placeholders only; this is where
    # their plural forms and Telegram's HTML are checked, as a clinic's own texts are at start.
    Texts.load().verify()


def test_a_telegram_language_code_is_matched_to_a_catalogue_or_falls_back() -> None:
    texts = Texts.load()
    assert texts.language_for("ru") == "ru"
    assert texts.language_for("en-GB") == "en"
    assert texts.language_for("pt-br") == "pt"
    assert texts.language_for("ja", fallback="ru") == "ru"
    assert texts.language_for(None) == "en"


def test_only_the_offered_languages_answer_the_first_for_everyone_else() -> None:
    texts = Texts.load().offering(["es", "uk"])
    assert texts.languages == ("es", "uk")
    assert texts.language_for("uk") == "uk"
    assert texts.language_for("ru") == "es"
    assert texts.language_for("de", fallback="uk") == "uk"
    assert texts.language_for("de", fallback="ru") == "es"
    assert "en" in texts.all_languages


def test_a_language_without_a_catalogue_cannot_be_offered() -> None:
    with pytest.raises(CatalogueError, match="no catalogue for xx"):
        Texts.load().offering(["en", "xx"])


def test_english_is_the_reviewed_source_and_translations_wait_for_a_clinician() -> None:
    reviewed = Texts.load().reviewed
    assert reviewed["en"] is True
    assert {code for code, done in reviewed.items() if not done} == {
        "de",
        "es",
        "fr",
        "it",
        "pt",
        "ru",
        "tr",
        "uk",
    }


def test_an_unknown_language_is_rendered_in_the_default_one() -> None:
    texts = Texts({"en": {"a": "A"}, "ru": {"a": "Б"}})
    assert texts.render("fr", "a") == "A"


def test_placeholders_are_read_from_format_fields() -> None:
    assert placeholders("{a} and {b} but not {{c}}") == {"a", "b"}


def _numbers_for_each_form(language: str) -> dict[str, int]:
    """A number that picks each of the language's CLDR plural forms."""
    rule = Locale.parse(language).plural_form
    found: dict[str, int] = {}
    for number in [*range(0, 2000), 1_000_000]:
        found.setdefault(rule(number), number)
    return found


def test_every_plural_text_is_walked_through_a_number_for_each_form_in_every_language() -> None:
    texts = Texts.load()
    every_key = texts.keys()
    plural_keys = {key for key in every_key if texts.forms("en", key)}
    assert plural_keys, "no plural texts to walk"
    for language in texts.all_languages:
        numbers = _numbers_for_each_form(language)
        # Every form a whole number can pick ("other" is for fractions alone in some languages).
        assert set(Locale.parse(language).plural_form.tags) <= set(numbers)
        for key in plural_keys:
            forms = texts.forms(language, key)
            for form, number in numbers.items():
                rendered = texts.render(language, key, count=number)
                assert rendered == forms[form].format(count=number), (language, key, form)
                assert str(number) in rendered, (language, key, form)


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


def test_a_text_telegram_would_refuse_in_html_mode_is_caught_at_start() -> None:
    with pytest.raises(CatalogueError, match="a: Telegram would refuse it: Can't find end tag"):
        Texts({"en": {"a": "<b>Hello {name}"}})
    with pytest.raises(CatalogueError, match='Unsupported start tag "br"'):
        Texts({"en": {"a": "Hello<br>there"}})

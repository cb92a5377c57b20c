"""A plan as staff edit it: read back into the file's table, each mistake on its field; a
step keeps naming its catalogue text until a sentence is changed; sentences are checked the
way Telegram and the texts are."""

from datetime import UTC, datetime, timedelta

import pytest

from aftercare_bot.domain.plan_forms import PlanForm, StepRow, form_of, read_form
from aftercare_bot.domain.plan_versions import (
    PlanBook,
    PlanVersion,
    current_plan,
    plan_name_of,
    read_version,
    text_problem,
    version_key,
)

LANGUAGES = ("en", "es")
CATALOGUE = {
    ("en", "plan.evening"): "Good evening {name}.",
    ("es", "plan.evening"): "Buenas tardes {name}.",
}
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def catalogue(language: str, key: str) -> str | None:
    return CATALOGUE.get((language, key))


def evening(**changes: object) -> StepRow:
    row = StepRow(
        key="evening",
        when="day",
        value="0",
        at="19:00",
        kind="info",
        message="plan.evening",
        texts={"en": "Good evening {name}.", "es": "Buenas tardes {name}."},
    )
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def test_a_step_left_as_the_catalogue_has_it_keeps_naming_its_text() -> None:
    read = read_form(PlanForm("4", "3w", [evening()]), LANGUAGES, catalogue)
    assert not isinstance(read, list)
    table, texts = read
    assert table == {
        "sessions": 4,
        "spacing": "3w",
        "steps": [
            {"key": "evening", "kind": "info", "day": 0, "at": "19:00", "message": "plan.evening"}
        ],
    }
    assert texts == {}


def test_a_changed_sentence_makes_the_step_carry_its_own_in_every_language() -> None:
    changed = evening(texts={"en": "Rest tonight, {name}.", "es": "Descanse esta noche, {name}."})
    read = read_form(PlanForm("4", "3w", [changed]), LANGUAGES, catalogue)
    assert not isinstance(read, list)
    table, texts = read
    assert texts == {
        "evening": {"en": "Rest tonight, {name}.", "es": "Descanse esta noche, {name}."}
    }
    version = PlanVersion("scalp", 2, table, texts, NOW)
    plan = read_version(version, set(), timedelta(hours=6))
    assert plan.name == "scalp@2"
    assert plan.steps[0].message_key == "plantext.scalp@2.evening"


def test_every_mistake_is_named_on_its_field() -> None:
    form = PlanForm(
        "0",
        "soon",
        [
            evening(key="Evening!", at="7pm", texts={"en": "Hi {nom}", "es": ""}),
            evening(key="late", when="after", value="2x", valid_for="a while"),
            evening(key="late", kind="poem", texts={"en": "<b>bold", "es": "x" * 4000}),
        ],
    )
    problems = read_form(form, LANGUAGES, catalogue)
    assert isinstance(problems, list)
    assert {(p.field_name, p.problem) for p in problems} == {
        ("sessions", "problem_range"),
        ("spacing", "problem_duration"),
        ("step-0-key", "problem_key"),
        ("step-0-at", "problem_at"),
        ("step-0-text-en", "problem_text_placeholder"),
        ("step-0-text-es", "problem_text_missing"),
        ("step-1-value", "problem_duration"),
        ("step-1-valid_for", "problem_duration"),
        ("step-2-key", "problem_key_taken"),
        ("step-2-kind", "problem_kind"),
        ("step-2-text-en", "problem_text_html"),
        ("step-2-text-es", "problem_text_long"),
    }


def test_removed_and_blank_rows_are_left_out_and_a_plan_needs_a_step() -> None:
    form = PlanForm("4", "3w", [evening(remove=True), StepRow(texts={"en": " ", "es": ""})])
    problems = read_form(form, LANGUAGES, catalogue)
    assert isinstance(problems, list)
    assert [(p.field_name, p.problem) for p in problems] == [("steps", "problem_no_steps")]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Hello {name}, call {phone}.", None),
        ("<b>Hello</b> {name}", None),
        ("Hello {patient}", "problem_text_placeholder"),
        ("Hello {name", "problem_text_placeholder"),
        ("<blink>Hi</blink>", "problem_text_html"),
        ("   ", "problem_text_missing"),
    ],
)
def test_a_sentence_is_checked_as_telegram_would_take_it(text: str, problem: str | None) -> None:
    found = text_problem(text)
    assert (found[0] if found else None) == problem


def test_a_saved_version_shows_in_the_form_as_it_was_saved() -> None:
    version = PlanVersion(
        "scalp",
        3,
        {
            "sessions": 4,
            "spacing": "3w",
            "steps": [
                {
                    "key": "evening",
                    "kind": "info",
                    "day": 0,
                    "at": "19:00",
                    "message": "plan.evening",
                },
                {
                    "key": "soon",
                    "kind": "appointment",
                    "before": "2h",
                    "message": "x",
                    "valid_for": "1h",
                },
            ],
        },
        {"soon": {"en": "See you soon", "es": "Hasta pronto"}},
        NOW,
    )
    form = form_of(version, LANGUAGES, catalogue)
    assert (form.sessions, form.spacing) == ("4", "3w")
    assert form.steps[0].texts == {"en": "Good evening {name}.", "es": "Buenas tardes {name}."}
    assert form.steps[0].message == "plan.evening"
    assert (form.steps[1].when, form.steps[1].value, form.steps[1].valid_for) == (
        "before",
        "2h",
        "1h",
    )
    assert form.steps[1].message == "" and form.steps[1].texts["es"] == "Hasta pronto"


def test_a_course_names_its_version_and_enrollment_takes_the_newest() -> None:
    assert version_key("scalp", 1) == "scalp" and version_key("scalp", 2) == "scalp@2"
    assert plan_name_of("scalp@12") == "scalp" and plan_name_of("scalp") == "scalp"
    first = read_version(
        PlanVersion(
            "scalp",
            1,
            {
                "sessions": 4,
                "spacing": "3w",
                "steps": [
                    {
                        "key": "evening",
                        "kind": "info",
                        "day": 0,
                        "at": "19:00",
                        "message": "plan.evening",
                    }
                ],
            },
            {},
            NOW,
        ),
        {"plan.evening"},
        timedelta(hours=6),
    )
    second = read_version(
        PlanVersion(
            "scalp",
            2,
            {
                "sessions": 5,
                "spacing": "3w",
                "steps": [
                    {
                        "key": "evening",
                        "kind": "info",
                        "day": 0,
                        "at": "20:00",
                        "message": "plan.evening",
                    }
                ],
            },
            {},
            NOW,
        ),
        {"plan.evening"},
        timedelta(hours=6),
    )
    book = PlanBook({"scalp": first, "scalp@2": second}, {"scalp": "scalp@2"})
    assert book["scalp"].sessions == 4  # an old course still reads its own version
    assert current_plan(book, "scalp") is second
    assert book.names == ["scalp"]

"""The privacy promise at the door: a patient is enrolled under a first name only."""

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from aftercare_bot.adapters.persistence.unit_of_work import SqlUnitOfWork
from aftercare_bot.adapters.telegram.handlers.enroll import name_refusal_key
from aftercare_bot.domain.patient_names import NameProblem, NotAFirstName, first_name_only
from aftercare_bot.domain.patients import Enrollment, InvalidPatientName
from aftercare_bot.domain.plans import Plan
from aftercare_bot.services.enrollment import enroll_patient
from aftercare_bot.texts import Texts

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Anna", "Anna"),
        ("  Anna   Maria ", "Anna Maria"),
        ("María José", "María José"),
        ("Jean-Pierre", "Jean-Pierre"),
        ("O'Neil", "O'Neil"),
        ("D\N{RIGHT SINGLE QUOTATION MARK}Arcy", "D\N{RIGHT SINGLE QUOTATION MARK}Arcy"),
        ("Олександр", "Олександр"),
        ("李", "李"),
        ("Anna Maria Luisa", "Anna Maria Luisa"),
        ("Ben & Co", "Ben & Co"),
        ("St.John", "St.John"),
    ],
)
def test_a_first_name_in_any_alphabet_is_stored_with_its_spaces_tidied(
    typed: str, stored: str
) -> None:
    assert first_name_only(typed) == stored


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("Anna 2", NameProblem.DIGITS),
        ("Anna2", NameProblem.DIGITS),
        ("12345", NameProblem.DIGITS),
        ("anna@x.io", NameProblem.ADDRESS),
        ("@anna_k", NameProblem.ADDRESS),
        ("Anna @ clinic", NameProblem.ADDRESS),
        ("anna at mail.ru", NameProblem.ADDRESS),
        ("https://vk.com/anna", NameProblem.ADDRESS),
        ("+44 7700 900123", NameProblem.PHONE),
        ("Anna 07700900123", NameProblem.PHONE),
        ("Anna (020) 7946-0000", NameProblem.PHONE),
        ("Anna Maria Luisa Rossi", NameProblem.TOO_MANY_WORDS),
        ("", NameProblem.NOT_A_NAME),
        ("   ", NameProblem.NOT_A_NAME),
        ("!!!", NameProblem.NOT_A_NAME),
        ("x" * 65, NameProblem.NOT_A_NAME),
    ],
)
def test_anything_more_than_a_first_name_is_refused_with_the_reason(
    typed: str, problem: NameProblem
) -> None:
    with pytest.raises(NotAFirstName) as refusal:
        first_name_only(typed)
    assert refusal.value.problem is problem


def test_a_refusal_is_still_an_invalid_name_and_never_repeats_the_name() -> None:
    with pytest.raises(InvalidPatientName) as refusal:
        first_name_only("anna@x.io")
    assert "anna" not in str(refusal.value)


def test_the_64_character_limit_still_holds() -> None:
    assert first_name_only("x" * 64) == "x" * 64


def test_every_reason_has_a_message_that_gives_an_example_first_name() -> None:
    texts = Texts.load()
    assert texts.render("en", "enroll.bad_name").endswith("e.g. Anna.")
    for language in texts.all_languages:
        # The example is the last word of the plain refusal, the same under every reason.
        example = texts.render(language, "enroll.bad_name").rstrip(".").split()[-1]
        for problem in NameProblem:
            refusal = texts.render(language, name_refusal_key(problem))
            assert refusal.rstrip(".").endswith(example), (language, problem)


class UntouchedUnitOfWork:
    """A unit of work that fails the test if the use case so much as looks at it."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the unit of work was used: {name}")


async def test_the_enrollment_use_case_refuses_a_surname_before_storing_anything() -> None:
    enrollment = Enrollment(
        display_name="Anna Maria Luisa Rossi",
        session_at=NOW,
        practitioner="Dr Grey",
        plan_name="scalp",
        timezone="Europe/London",
    )
    plan = cast(Plan, object())  # never reached
    uow = cast(SqlUnitOfWork, UntouchedUnitOfWork())
    with pytest.raises(NotAFirstName) as refusal:
        await enroll_patient(uow, enrollment, plan, NOW, timedelta(days=7))
    assert refusal.value.problem is NameProblem.TOO_MANY_WORDS

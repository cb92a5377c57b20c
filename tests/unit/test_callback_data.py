"""Callback data is parsed strictly: a modified client can send anything up to 64 bytes, and
every family reads back exactly what its buttons carry."""

import pytest

from aftercare_bot.adapters.telegram.views import callback_data
from aftercare_bot.adapters.telegram.views.callback_data import (
    FAMILIES,
    CheckInAnswer,
    Consent,
    CourseDate,
    EnrollChoice,
    EraseChoice,
    IncidentAction,
    LanguageChoice,
    PatientsPage,
    PickPatient,
    RelayChoice,
    ReminderReply,
    RemoveStaff,
    TaskDone,
    TimelinePage,
    TimeZoneChoice,
)
from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.incidents import IncidentOutcome
from aftercare_bot.services.appointments import ReminderAnswer

EVERY_PRESS = [
    Consent(42, agreed=True),
    Consent(42, agreed=False),
    EnrollChoice("Dr.Grey"),
    PickPatient("patient", "P-ABCD"),
    CourseDate(CourseDate.SESSION, "P-ABCD", 1796374800),
    CourseDate(CourseDate.APPOINTMENT, "P-ABCD", 1796374800),
    CourseDate(CourseDate.CANCEL),
    RemoveStaff(700000001),
    ReminderReply(17, ReminderAnswer.RESCHEDULE),
    TaskDone(9),
    LanguageChoice("ru"),
    TimeZoneChoice(2),
    EraseChoice(confirmed=True),
    EraseChoice(confirmed=False),
    CheckInAnswer(5, Step.REDNESS, "severe"),
    IncidentAction(3, IncidentAction.ACKNOWLEDGE),
    IncidentAction(3, IncidentAction.RESOLVE, IncidentOutcome.PHONED),
    RelayChoice(8, send=True),
    RelayChoice(8, send=False),
    PatientsPage(4),
    TimelinePage("P-ABCD", 1),
]


@pytest.mark.parametrize("press", EVERY_PRESS, ids=repr)
def test_every_press_reads_back_as_it_was_built(press: object) -> None:
    data = press.data()  # type: ignore[attr-defined]
    assert len(data.encode()) <= 64
    assert type(press).parse(data) == press  # type: ignore[attr-defined]


def test_the_wire_formats_of_buttons_already_in_chats_are_kept() -> None:
    assert Consent(42, agreed=True).data() == "consent:42:yes"
    assert CheckInAnswer(5, Step.SIGNS, "pus").data() == "ci:5:signs:pus"
    assert IncidentAction(3, IncidentAction.RESOLVE, IncidentOutcome.PHONED).data() == (
        "inc:3:res:phoned"
    )
    assert ReminderReply(17, ReminderAnswer.CONFIRM).data() == "appt:17:confirm"
    assert RelayChoice(8, send=False).data() == "relay:8:cancel"
    assert TimelinePage("P-ABCD", 1).data() == "tl:P-ABCD:1"
    assert EraseChoice(confirmed=True).data() == "del:yes"


def test_each_family_has_its_own_name() -> None:
    assert len(set(FAMILIES)) == len(FAMILIES)
    assert {type(press).FAMILY for press in EVERY_PRESS} == set(FAMILIES)  # type: ignore[attr-defined]


def test_data_of_another_family_is_not_taken() -> None:
    assert Consent.parse("relay:42:yes") is None
    assert IncidentAction.parse(CheckInAnswer(5, Step.REDNESS, "mild").data()) is None


def test_an_id_longer_than_any_row_or_telegram_id_is_refused_as_forged() -> None:
    assert IncidentAction.parse("inc:" + "9" * 40 + ":ack") is None
    assert CheckInAnswer.parse("ci:" + "1" * 19 + ":redness:severe") is None
    assert CheckInAnswer.parse("ci:" + "1" * 18 + ":redness:severe") is not None
    assert RelayChoice.parse(f"relay:{2**62 + 1}:send") is None


@pytest.mark.parametrize(
    ("parse", "data"),
    [
        (IncidentAction.parse, "inc:1:<b>"),
        (IncidentAction.parse, "inc:1:nonsense"),
        (IncidentAction.parse, "inc:1:ack:phoned"),
        (IncidentAction.parse, "inc:1:res:made-up"),
        (IncidentAction.parse, ""),
        (IncidentAction.parse, None),
        (CheckInAnswer.parse, "ci:1:not-a-step:mild"),
        (CheckInAnswer.parse, "ci:x:redness:mild"),
        (ReminderReply.parse, "appt:1:maybe"),
        (RelayChoice.parse, "relay:1:publish"),
        (TaskDone.parse, "task:1:2"),
        (PatientsPage.parse, "pts:-1"),
        (TimeZoneChoice.parse, "tz:one"),
        (PickPatient.parse, "pick::P-ABCD"),
        (LanguageChoice.parse, "lang"),
        (CourseDate.parse, "cdate:discharge:P-ABCD:1796374800"),
        (CourseDate.parse, "cdate:session:P-ABCD:soon"),
        (CourseDate.parse, "cdate:session::1796374800"),
        (CourseDate.parse, "cdate:cancel:P-ABCD"),
    ],
)
def test_anything_no_button_of_ours_carries_is_refused(parse: object, data: str | None) -> None:
    assert parse(data) is None  # type: ignore[operator]


def test_unsafe_parts_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="unsafe"):
        EnrollChoice("two words").data()
    with pytest.raises(ValueError, match="too long"):
        callback_data.pack("enroll", "a" * 40, "b" * 40)

"""Every callback-data format in one place: a typed press per family, with one strict parser.

Telegram allows 1-64 bytes, and a modified client can send anything, so data only names
what was pressed; handlers check that the presser may press it. Each family below builds
its data (`data()`) and parses it back (`parse()`), returning None for anything that is not
exactly what one of our buttons carries. Wire formats (kept stable: buttons already in chats
must keep working after an upgrade):

- `consent:<link id>:yes|no`: the patient's answer to the consent question;
- `enroll:<value>`: a choice during /enroll;
- `pick:<command>:<code>`: staff picked one of several patients matching a name;
- `cdate:session|appointment:<code>:<unix time>`, `cdate:cancel`: staff confirm (or drop) the
  date they typed for /session or /appointment, shown back with weekday and month name;
- `rmstaff:<telegram user id>`: an admin removes a staff member;
- `appt:<message id>:confirm|reschedule|changed`: an answer to an appointment reminder;
- `task:<task id>`: staff closed a task;
- `lang:<code>`, `tz:<index>`, `del:yes|no`: a patient's language, zone, erasure choice;
- `ci:<check-in id>:<step>:<value>`: a check-in answer;
- `inc:<id>:ack|res|msg|back`, `inc:<id>:res:<outcome>`: an incident card's buttons;
- `relay:<draft id>:send|cancel`: staff confirm or drop a message to a patient;
- `pts:<page>`, `tl:<code>:<page>`: paging through the patient list and a timeline.
"""

import re
from dataclasses import dataclass
from typing import ClassVar, Self

from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.incidents import IncidentOutcome
from aftercare_bot.services.appointments import ReminderAnswer

_SEPARATOR = ":"
_SAFE = re.compile(r"^[A-Za-z0-9_.+@\-]{0,40}$")
_LONGEST_NUMBER = 18  # digits: every id we put in a button fits a signed 64-bit integer
_YES, _NO = "yes", "no"


def pack(family: str, *args: str | int) -> str:
    """Build callback data such as `consent:42:yes`."""
    parts = [family, *(str(arg) for arg in args)]
    if not all(_SAFE.match(part) for part in parts):
        raise ValueError(f"unsafe callback data part in {parts!r}")
    data = _SEPARATOR.join(parts)
    if len(data.encode()) > 64:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def arguments(data: str | None, family: str) -> tuple[str, ...] | None:
    """The arguments of `data` if it belongs to `family` and every part is safe, else None."""
    if not data:
        return None
    name, *args = data.split(_SEPARATOR)
    if name != family or not all(_SAFE.match(part) for part in (name, *args)):
        return None
    if any(arg.isdigit() and len(arg) > _LONGEST_NUMBER for arg in args):
        return None  # no row or Telegram id is that long: forged (and it would overflow)
    return tuple(args)


def _number(arg: str) -> int | None:
    return int(arg) if arg.isdigit() else None


def _one_number(data: str | None, family: str) -> int | None:
    """The only argument of a family that carries one id or index."""
    args = arguments(data, family)
    return _number(args[0]) if args is not None and len(args) == 1 else None


def pattern(family: str) -> str:
    """The regex a CallbackQueryHandler uses for a family."""
    return f"^{re.escape(family)}(:|$)"


@dataclass(frozen=True)
class Consent:
    """The patient agreed (or not) to the follow-up offered by link `link_id`."""

    FAMILY: ClassVar[str] = "consent"
    link_id: int
    agreed: bool

    def data(self) -> str:
        return pack(self.FAMILY, self.link_id, _YES if self.agreed else _NO)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        if args is None or len(args) != 2 or (link_id := _number(args[0])) is None:
            return None
        return cls(link_id, args[1] == _YES)


@dataclass(frozen=True)
class EnrollChoice:
    """A button during /enroll: a date, a practitioner, a plan, a language, Confirm..."""

    FAMILY: ClassVar[str] = "enroll"
    value: str

    def data(self) -> str:
        return pack(self.FAMILY, self.value)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        return cls(args[0]) if args else None


@dataclass(frozen=True)
class PickPatient:
    """Staff picked patient `code` for `command`, among several matching a name."""

    FAMILY: ClassVar[str] = "pick"
    command: str
    code: str

    def data(self) -> str:
        return pack(self.FAMILY, self.command, self.code)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        if args is None or len(args) != 2 or not all(args):
            return None
        return cls(args[0], args[1])


@dataclass(frozen=True)
class CourseDate:
    """Staff confirm the date typed for `command` ("session" or "appointment") for patient
    `code`, as read back to them; `command` "cancel" drops it."""

    FAMILY: ClassVar[str] = "cdate"
    SESSION: ClassVar[str] = "session"
    APPOINTMENT: ClassVar[str] = "appointment"
    CANCEL: ClassVar[str] = "cancel"
    command: str
    code: str = ""
    at: int = 0  # seconds since the epoch, UTC

    def data(self) -> str:
        if self.command == self.CANCEL:
            return pack(self.FAMILY, self.CANCEL)
        return pack(self.FAMILY, self.command, self.code, self.at)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        if args == (cls.CANCEL,):
            return cls(cls.CANCEL)
        if args is None or len(args) != 3 or args[0] not in (cls.SESSION, cls.APPOINTMENT):
            return None
        at = _number(args[2])
        return cls(args[0], args[1], at) if args[1] and at is not None else None


@dataclass(frozen=True)
class RemoveStaff:
    """An admin removes the staff member with this Telegram user id."""

    FAMILY: ClassVar[str] = "rmstaff"
    user_id: int

    def data(self) -> str:
        return pack(self.FAMILY, self.user_id)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        user_id = _one_number(data, cls.FAMILY)
        return None if user_id is None else cls(user_id)


@dataclass(frozen=True)
class ReminderReply:
    """The patient's answer under the appointment reminder with this outbox id."""

    FAMILY: ClassVar[str] = "appt"
    message_id: int
    answer: ReminderAnswer

    def data(self) -> str:
        return pack(self.FAMILY, self.message_id, self.answer.value)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        if args is None or len(args) != 2 or (message_id := _number(args[0])) is None:
            return None
        if args[1] not in set(ReminderAnswer):
            return None
        return cls(message_id, ReminderAnswer(args[1]))


@dataclass(frozen=True)
class TaskDone:
    """Staff closed the task with this id."""

    FAMILY: ClassVar[str] = "task"
    task_id: int

    def data(self) -> str:
        return pack(self.FAMILY, self.task_id)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        task_id = _one_number(data, cls.FAMILY)
        return None if task_id is None else cls(task_id)


@dataclass(frozen=True)
class LanguageChoice:
    """A patient's /language button (the code is checked against the catalogues on press)."""

    FAMILY: ClassVar[str] = "lang"
    code: str

    def data(self) -> str:
        return pack(self.FAMILY, self.code)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        return cls(args[0]) if args is not None and len(args) == 1 else None


@dataclass(frozen=True)
class TimeZoneChoice:
    """A patient's /timezone button: the index of one of the clinic's offered zones."""

    FAMILY: ClassVar[str] = "tz"
    index: int

    def data(self) -> str:
        return pack(self.FAMILY, self.index)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        index = _one_number(data, cls.FAMILY)
        return None if index is None else cls(index)


@dataclass(frozen=True)
class EraseChoice:
    """The patient's answer to "erase my data?": only an explicit yes erases."""

    FAMILY: ClassVar[str] = "del"
    confirmed: bool

    def data(self) -> str:
        return pack(self.FAMILY, _YES if self.confirmed else _NO)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        return cls(args[0] == _YES) if args is not None and len(args) == 1 else None


@dataclass(frozen=True)
class CheckInAnswer:
    """A check-in button: the answer `value` to `step` of check-in `check_in_id` (the value
    is checked against the step by the check-in itself)."""

    FAMILY: ClassVar[str] = "ci"
    check_in_id: int
    step: Step
    value: str

    def data(self) -> str:
        return pack(self.FAMILY, self.check_in_id, self.step.value, self.value)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        if args is None or len(args) != 3 or (check_in_id := _number(args[0])) is None:
            return None
        if args[1] not in set(Step):
            return None
        return cls(check_in_id, Step(args[1]), args[2])


@dataclass(frozen=True)
class IncidentAction:
    """An incident card's button: acknowledge, resolve (ask the outcome, or with one), back
    to the card's buttons, or message the patient."""

    FAMILY: ClassVar[str] = "inc"
    ACKNOWLEDGE: ClassVar[str] = "ack"
    RESOLVE: ClassVar[str] = "res"
    MESSAGE: ClassVar[str] = "msg"
    BACK: ClassVar[str] = "back"
    incident_id: int
    action: str
    outcome: IncidentOutcome | None = None

    def data(self) -> str:
        if self.outcome is not None:
            return pack(self.FAMILY, self.incident_id, self.action, self.outcome.value)
        return pack(self.FAMILY, self.incident_id, self.action)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        if args is None or len(args) not in (2, 3) or (incident_id := _number(args[0])) is None:
            return None
        action = args[1]
        if len(args) == 3:
            if action != cls.RESOLVE or args[2] not in set(IncidentOutcome):
                return None
            return cls(incident_id, action, IncidentOutcome(args[2]))
        if action not in (cls.ACKNOWLEDGE, cls.RESOLVE, cls.MESSAGE, cls.BACK):
            return None
        return cls(incident_id, action)


@dataclass(frozen=True)
class RelayChoice:
    """Staff send (or drop) the drafted message to a patient; only its author can."""

    FAMILY: ClassVar[str] = "relay"
    SEND: ClassVar[str] = "send"
    CANCEL: ClassVar[str] = "cancel"
    LARGEST_ID: ClassVar[int] = 2**62  # anything larger is forged
    draft_id: int
    send: bool

    def data(self) -> str:
        return pack(self.FAMILY, self.draft_id, self.SEND if self.send else self.CANCEL)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        if args is None or len(args) != 2 or (draft_id := _number(args[0])) is None:
            return None
        if draft_id > cls.LARGEST_ID or args[1] not in (cls.SEND, cls.CANCEL):
            return None
        return cls(draft_id, args[1] == cls.SEND)


@dataclass(frozen=True)
class PatientsPage:
    """Previous / Next under the patient list."""

    FAMILY: ClassVar[str] = "pts"
    page: int

    def data(self) -> str:
        return pack(self.FAMILY, self.page)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        page = _one_number(data, cls.FAMILY)
        return None if page is None else cls(page)


@dataclass(frozen=True)
class TimelinePage:
    """Previous / Next under a patient's timeline."""

    FAMILY: ClassVar[str] = "tl"
    code: str
    page: int

    def data(self) -> str:
        return pack(self.FAMILY, self.code, self.page)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        args = arguments(data, cls.FAMILY)
        if args is None or len(args) != 2 or (page := _number(args[1])) is None:
            return None
        return cls(args[0], page)


FAMILIES: tuple[str, ...] = tuple(
    press.FAMILY
    for press in (
        Consent,
        EnrollChoice,
        PickPatient,
        CourseDate,
        RemoveStaff,
        ReminderReply,
        TaskDone,
        LanguageChoice,
        TimeZoneChoice,
        EraseChoice,
        CheckInAnswer,
        IncidentAction,
        RelayChoice,
        PatientsPage,
        TimelinePage,
    )
)

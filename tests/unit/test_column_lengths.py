"""Values the code writes fit their columns (SQLite does not check lengths; PostgreSQL does)."""

from enum import StrEnum

from aftercare_bot.adapters.persistence import tables
from aftercare_bot.domain import outbox
from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.domain.consent import ConsentChange
from aftercare_bot.domain.incidents import IncidentState, IncidentUrgency
from aftercare_bot.domain.outbox import MessageState
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.domain.tasks import TaskKind


def length(table: object, column: str) -> int:
    size = getattr(table, "c")[column].type.length  # noqa: B009
    assert isinstance(size, int)
    return size


def test_every_outbox_kind_fits_the_kind_column() -> None:
    kinds = [
        value for name, value in vars(outbox).items() if name.isupper() and isinstance(value, str)
    ]
    kinds += ["info", "checkin", "appointment", "nudge"]
    assert max(len(kind) for kind in kinds) <= length(tables.scheduled_messages, "kind")


def test_every_stored_enum_value_fits_its_column() -> None:
    columns: list[tuple[type[StrEnum], object, str]] = [
        (PatientStatus, tables.patients, "status"),
        (MessageState, tables.scheduled_messages, "state"),
        (ConsentChange, tables.consent_events, "change"),
        (TaskKind, tables.staff_tasks, "kind"),
        (CheckInState, tables.check_ins, "state"),
        (IncidentState, tables.incidents, "state"),
        (IncidentUrgency, tables.incidents, "urgency"),
    ]
    for enum, table, column in columns:
        assert max(len(member.value) for member in enum) <= length(table, column), enum

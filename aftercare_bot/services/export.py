"""The clinic's export of check-ins and incidents, one CSV for a spreadsheet or an audit.

Patients appear by code only: the export leaves the bot, and a code is all a clinic needs to
match a row to its own records.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from aftercare_bot.domain.check_in_answers import Symptom, WarningSign, stored_answers
from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.services.ports import ReportingUnitOfWork

HEADER = (
    "record",
    "patient",
    "practitioner",
    "batch",
    "day_since_session",
    "opened_at",
    "answered_at",
    "missed_at",
    "result",
    "redness",
    "swelling",
    "bruising",
    "signs",
    "note",
    "acknowledged_by",
    "acknowledged_at",
    "resolved_at",
    "outcome",
)


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    """A moment as the clinic reads it in a spreadsheet: its own time to the second, with the
    offset that keeps it exact across a clock change ("2026-11-25 19:00:00+00:00")."""
    if moment is None:
        return ""
    return moment.astimezone(zone).isoformat(sep=" ", timespec="seconds")


async def export_rows(uow: ReportingUnitOfWork, since: datetime, zone: ZoneInfo) -> list[list[str]]:
    """The header, then every check-in and incident since `since`, oldest first per kind."""
    rows: list[list[str]] = [list(HEADER)]
    for row in await uow.overview.check_ins_since(since):
        answers = stored_answers(row.answers)
        day = row.day_since_session(zone)
        levels = [answers.levels[s].key if s in answers.levels else "" for s in Symptom]
        rows.append(
            [
                "check_in",
                row.patient_code,
                row.practitioner or "",
                row.batch or "",
                "" if day is None else str(day),
                _local(row.opened_at, zone),
                _local(row.answered_at, zone),
                _local(row.missed_at, zone),
                (row.urgency or "") if row.state == CheckInState.ANSWERED else "",
                *levels,
                " ".join(sign.value for sign in WarningSign if sign in answers.signs),
                answers.note or "",
                "",
                "",
                "",
                "",
            ]
        )
    for (
        code,
        urgency,
        opened,
        owner,
        acknowledged,
        resolved,
        outcome,
    ) in await uow.overview.incidents_for_export(since):
        rows.append(
            [
                "incident",
                code or "",
                "",
                "",
                "",
                _local(opened, zone),
                "",
                "",
                str(urgency),
                "",
                "",
                "",
                "",
                "",
                owner or "",
                _local(acknowledged, zone),
                _local(resolved, zone),
                outcome or "",
            ]
        )
    return rows

"""Gathering the clinic's statistics for a window: the figures, and the symptom trend."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aftercare_bot.domain.check_in_answers import stored_answers
from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.domain.statistics import (
    CheckInRecord,
    CheckInRow,
    ClinicStats,
    TrendPoint,
    summarise,
    trend,
)
from aftercare_bot.services.ports import ReportingUnitOfWork

DEFAULT_WINDOW = timedelta(days=30)


def _record(row: CheckInRow, zone: ZoneInfo) -> CheckInRecord:
    answered = row.state == CheckInState.ANSWERED
    return CheckInRecord(
        patient_key=row.patient_id,
        opened_at=row.opened_at,
        day_since_session=row.day_since_session(zone),
        practitioner=row.practitioner,
        batch=row.batch,
        answered=answered,
        missed=row.missed_at is not None,
        urgency=row.urgency if answered else None,
        levels=stored_answers(row.answers).levels,
    )


async def gather_statistics(
    uow: ReportingUnitOfWork, now: datetime, window: timedelta, zone: ZoneInfo
) -> tuple[ClinicStats, list[TrendPoint]]:
    """The figures and the trend over the last `window`."""
    since = now - window
    records = [_record(row, zone) for row in await uow.overview.check_ins_since(since)]
    incidents = await uow.overview.incidents_since(since)
    return summarise(records, incidents), trend(records)

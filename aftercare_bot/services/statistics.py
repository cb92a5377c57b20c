"""Gathering the clinic's statistics for a window: the figures, and the symptom trend."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aftercare_bot.adapters.persistence.overview import CheckInRow
from aftercare_bot.adapters.persistence.unit_of_work import SqlUnitOfWork
from aftercare_bot.domain.check_in_answers import Answers, InvalidAnswers
from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.domain.statistics import (
    CheckInRecord,
    ClinicStats,
    TrendPoint,
    summarise,
    trend,
)

DEFAULT_WINDOW = timedelta(days=30)


def _record(row: CheckInRow, zone: ZoneInfo) -> CheckInRecord:
    """Days since the session count in calendar days of the clinic (day 0 is the session's)."""
    day = (
        (row.opened_at.astimezone(zone).date() - row.session_at.astimezone(zone).date()).days
        if row.session_at is not None
        else None
    )
    try:
        answers = Answers.from_json(json.loads(row.answers)) if row.answers else Answers()
    except (InvalidAnswers, ValueError):
        answers = Answers()
    answered = row.state == CheckInState.ANSWERED
    return CheckInRecord(
        patient_key=row.patient_id,
        opened_at=row.opened_at,
        day_since_session=day,
        practitioner=row.practitioner,
        batch=row.batch,
        answered=answered,
        missed=row.missed_at is not None,
        urgency=row.urgency if answered else None,
        levels=answers.levels,
    )


async def gather_statistics(
    uow: SqlUnitOfWork, now: datetime, window: timedelta, zone: ZoneInfo
) -> tuple[ClinicStats, list[TrendPoint]]:
    """The figures and the trend over the last `window`."""
    since = now - window
    records = [_record(row, zone) for row in await uow.overview.check_ins_since(since)]
    incidents = await uow.overview.incidents_since(since)
    return summarise(records, incidents), trend(records)

"""Gathering the daily digest, and remembering which day's digest has gone out."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aftercare_bot.domain.digest import DigestFacts, PatientRef, digest_due
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.domain.safety_signal import find_signals
from aftercare_bot.services.ports import ReportingUnitOfWork

SIGNAL_WINDOW = timedelta(days=90)
POSTED_SETTING = "digest_posted_on"


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight in UTC (a day may be 23 or 25 hours long)."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


async def gather_digest(uow: ReportingUnitOfWork, now: datetime, zone: ZoneInfo) -> DigestFacts:
    """The facts of today's digest in the clinic's zone."""
    today = now.astimezone(zone).date()
    one_day = timedelta(days=1)
    overview = uow.overview
    return DigestFacts(
        day=today,
        not_linked=await overview.patients_in(PatientStatus.NOT_LINKED),
        yesterday=await overview.check_in_day(
            _start_of(today - one_day, zone), _start_of(today, zone)
        ),
        incidents=await overview.open_incidents(),
        tasks=await overview.open_tasks(),
        today=await overview.appointments_between(
            _start_of(today, zone), _start_of(today + one_day, zone)
        ),
        tomorrow=await overview.appointments_between(
            _start_of(today + one_day, zone), _start_of(today + 2 * one_day, zone)
        ),
        unreachable=await overview.patients_in(PatientStatus.UNREACHABLE),
        stopped=await overview.patients_in(PatientStatus.STOPPED),
        overdue=await _overdue(uow, now),
        signals=find_signals(await overview.batch_counts(now - SIGNAL_WINDOW)),
    )


async def _overdue(uow: ReportingUnitOfWork, now: datetime) -> list[PatientRef]:
    """Linked patients whose next session is due, with none booked, and the course unfinished."""
    overdue = []
    for course, patient in await uow.patients.courses_without_appointment():
        assert course.id is not None
        latest = await uow.patients.latest_session(course.id)
        if latest is None or latest.number >= course.sessions_planned:
            continue
        if now >= latest.held_at + course.spacing:
            overdue.append(PatientRef(patient.code, patient.display_name))
    return overdue


async def due_today(uow: ReportingUnitOfWork, now: datetime, zone: ZoneInfo, at: time) -> bool:
    """Whether the scheduled digest should be posted now."""
    posted = await uow.settings.get(POSTED_SETTING)
    return digest_due(now.astimezone(zone), at, date.fromisoformat(posted) if posted else None)


async def mark_posted(uow: ReportingUnitOfWork, now: datetime, zone: ZoneInfo) -> None:
    """Today's scheduled digest has gone out."""
    await uow.settings.put(POSTED_SETTING, now.astimezone(zone).date().isoformat(), now)
    await uow.commit()

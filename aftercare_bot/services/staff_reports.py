"""What staff read about the clinic, as use cases any front end can call: today's digest, the
statistics over a window, the export of check-ins and incidents (audited), the list of
patients and one patient's timeline. Each call opens its own unit of work; the front end
renders the plain results."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.clinical_records import ClinicalRecords
from aftercare_bot.domain.digest import DigestFacts
from aftercare_bot.domain.patient_summary import PatientSummary, TimelineEvent
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.statistics import ClinicStats, TrendPoint
from aftercare_bot.services.digest import due_today, gather_digest, mark_posted
from aftercare_bot.services.export import export_rows
from aftercare_bot.services.ports import Clock, ReportingUnitsOfWork
from aftercare_bot.services.statistics import gather_statistics


@dataclass(frozen=True)
class StaffReports:
    """The clinic-wide reports, in the clinic's time zone."""

    units: ReportingUnitsOfWork
    clock: Clock
    zone: ZoneInfo

    async def digest(self) -> DigestFacts:
        """The facts of today's digest."""
        async with self.units.unit_of_work() as uow:
            return await gather_digest(uow, self.clock.now(), self.zone)

    async def digest_due(self, at: time) -> bool:
        """Whether today's scheduled digest (at `at`, clinic time) is due and not posted yet."""
        async with self.units.unit_of_work() as uow:
            return await due_today(uow, self.clock.now(), self.zone, at)

    async def digest_posted(self) -> None:
        """Today's scheduled digest went out: not again until tomorrow."""
        async with self.units.unit_of_work() as uow:
            await mark_posted(uow, self.clock.now(), self.zone)

    async def statistics(self, window: timedelta) -> tuple[ClinicStats, list[TrendPoint]]:
        """The figures and the day-by-day trend over the last `window`."""
        async with self.units.unit_of_work() as uow:
            return await gather_statistics(uow, self.clock.now(), window, self.zone)

    async def export(self, window: timedelta, actor: int | None) -> list[list[str]]:
        """The CSV rows (header first) of the check-ins and incidents of the last `window`;
        who took them is in the audit trail."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            rows = await export_rows(uow, now - window, self.zone)
            await uow.audit.record(
                AuditEvent(now, "export.sent", actor, detail=f"{len(rows) - 1} rows")
            )
            await uow.commit()
        return rows

    async def clinical_records(self, since: datetime, actor: int | None) -> ClinicalRecords:
        """The records a FHIR export is made of (patients by code, their consents, next
        appointments, check-ins and incidents since `since`); who took them is audited."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            records = await uow.overview.clinical_records(since)
            await uow.audit.record(
                AuditEvent(now, "export.fhir", actor, detail=f"{len(records.patients)} patients")
            )
            await uow.commit()
        return records

    async def patients(
        self,
        offset: int,
        limit: int,
        search: str | None = None,
        status: PatientStatus | None = None,
        practitioner: str | None = None,
        plan: str | None = None,
    ) -> tuple[list[PatientSummary], int]:
        """One page of the patients the clinic follows (newest enrollment first), matching
        `search`, in `status`, seen by `practitioner` and on `plan` when given, and how many
        there are."""
        async with self.units.unit_of_work() as uow:
            return await uow.overview.patient_summaries(
                offset, limit, search, status, practitioner, plan
            )

    async def practitioners(self) -> list[str]:
        """The practitioners named on the patients the clinic follows, to filter by."""
        async with self.units.unit_of_work() as uow:
            return await uow.overview.practitioners()

    async def view_timeline(
        self, code: str, viewer: int, via: str
    ) -> tuple[Patient, list[TimelineEvent]] | None:
        """One patient's record as staff open it, kept in the audit trail (who, which patient,
        from where); None when there is no such patient."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            patient = await uow.patients.by_code(code)
            if patient is None or patient.id is None:
                return None
            events = await uow.overview.timeline(patient.id)
            await uow.audit.record(
                AuditEvent(now, "patient.viewed", viewer, subject=patient.code, detail=via)
            )
            await uow.commit()
            return patient, events

    async def audit_trail(
        self, since: timedelta, limit: int, offset: int = 0
    ) -> Sequence[AuditEvent]:
        """What was done in the last `since`, newest first, a page of `limit` events from
        `offset` (ids and codes only)."""
        async with self.units.unit_of_work() as uow:
            return await uow.audit.recent(self.clock.now() - since, limit, offset)

    async def patient(self, code: str) -> Patient | None:
        """The patient with this (normalised) code."""
        async with self.units.unit_of_work() as uow:
            return await uow.patients.by_code(code)

    async def timeline(self, patient_id: int) -> list[TimelineEvent]:
        """Everything that happened in one patient's follow-up, newest first."""
        async with self.units.unit_of_work() as uow:
            return await uow.overview.timeline(patient_id)

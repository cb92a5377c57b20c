"""What staff ask of the bot outside enrollment and incidents, as use cases any front end can
call: staff membership, the staff group, and a named patient's link, session, next
appointment and discharge. Each call opens and commits its own unit of work, and wakes the
dispatcher when it scheduled something."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare_bot.domain.outbox import Priority, ScheduledMessage
from aftercare_bot.domain.patients import Enrollment, Patient, PatientStatus
from aftercare_bot.domain.plan_versions import current_plan
from aftercare_bot.domain.plans import Plan
from aftercare_bot.domain.quiet_hours import QuietHours
from aftercare_bot.domain.staff import StaffMember
from aftercare_bot.services import courses, escalation, lifecycle, staff
from aftercare_bot.services import enrollment as enrollment_service
from aftercare_bot.services.courses import CourseComplete, SessionRecorded
from aftercare_bot.services.enrollment import EnrolledPatient
from aftercare_bot.services.patient_lookup import Lookup, find_patient
from aftercare_bot.services.ports import Clock, StaffNotifier, UnitsOfWork, WakeUp


@dataclass(frozen=True)
class IssuedLink:
    """A one-time link's token and when it stops working."""

    token: str
    expires_at: datetime


APPOINTMENT_NOTICE_VALID_FOR = timedelta(days=2)
_IN_FOLLOW_UP = (PatientStatus.NOT_LINKED, PatientStatus.LINKED, PatientStatus.UNREACHABLE)


@dataclass(frozen=True)
class StaffRequests:
    """Staff commands' use cases, with the clinic's plans, quiet hours and link lifetime."""

    units: UnitsOfWork
    clock: Clock
    wake: WakeUp
    plans: Mapping[str, Plan]
    quiet: QuietHours | None
    link_lifetime: timedelta
    configured_group: int | None

    async def invite(self, admin_id: int) -> IssuedLink:
        """A one-time invitation link for a new staff member."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            token = await staff.invite_staff(uow, admin_id, now, self.link_lifetime)
        return IssuedLink(token, now + self.link_lifetime)

    async def enroll(self, enrollment: Enrollment) -> tuple[EnrolledPatient, IssuedLink]:
        """Store a new patient, their course and first session, and issue their one-time
        link (see `enrollment.enroll_patient`; its `NotAFirstName` stores nothing)."""
        now = self.clock.now()
        plan = current_plan(self.plans, enrollment.plan_name)
        if plan is None:
            raise KeyError(enrollment.plan_name)
        async with self.units.unit_of_work() as uow:
            enrolled = await enrollment_service.enroll_patient(
                uow, enrollment, plan, now, self.link_lifetime
            )
        return enrolled, IssuedLink(enrolled.token, now + self.link_lifetime)

    async def members(self) -> Sequence[StaffMember]:
        """Staff members who joined by invitation and were not removed."""
        async with self.units.unit_of_work() as uow:
            return await staff.active_members(uow)

    async def remove(self, admin_id: int, user_id: int) -> StaffMember | None:
        """Remove a member; None if they are not (or no longer) staff."""
        async with self.units.unit_of_work() as uow:
            return await staff.remove_staff(uow, admin_id, user_id, self.clock.now())

    async def set_role(self, admin_id: int, user_id: int, admin: bool) -> StaffMember | None:
        """Make an invited member an admin, or staff again; their console sessions end.
        None if they are not a member."""
        async with self.units.unit_of_work() as uow:
            return await staff.set_role(uow, admin_id, user_id, admin, self.clock.now())

    async def bind_group(self, admin_id: int, chat_id: int) -> bool:
        """Make this group receive escalations; True when it replaces another group (whose
        open incidents must then follow: `repost_open`)."""
        async with self.units.unit_of_work() as uow:
            return await staff.bind_staff_group(
                uow, admin_id, chat_id, self.clock.now(), self.configured_group
            )

    async def repost_open(self, notifier: StaffNotifier) -> int:
        """Post every open incident to the newly bound group, so none is stranded in the old
        one; returns how many."""
        return await escalation.repost_open(self.units, notifier)

    async def find(self, query: str) -> Lookup:
        """The patient a code or name names, or the candidates to pick from."""
        async with self.units.unit_of_work() as uow:
            return await find_patient(uow, query)

    async def followed_named(self, name: str) -> Sequence[Patient]:
        """Patients in follow-up (linked or about to be) who go by `name`: a second "Maria"
        enrolled without a word is easily mixed up with the first."""
        async with self.units.unit_of_work() as uow:
            return [
                patient
                for patient in await uow.patients.matching(name)
                if patient.display_name.casefold() == name.casefold()
                and patient.status in _IN_FOLLOW_UP
            ]

    async def patient(self, code: str) -> Patient | None:
        """The patient with this (normalised) code."""
        async with self.units.unit_of_work() as uow:
            return await uow.patients.by_code(code)

    async def new_link(self, patient_id: int, staff_id: int) -> IssuedLink | None:
        """A fresh link for an enrolled patient (earlier unused ones die); None if the patient
        is gone."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            patient = await uow.patients.by_id(patient_id)
            if patient is None:
                return None
            token = await enrollment_service.issue_new_patient_link(
                uow, patient, now, self.link_lifetime, staff_id
            )
        return IssuedLink(token, now + self.link_lifetime)

    async def record_session(
        self, patient_id: int, held_at: datetime, staff_id: int | None
    ) -> SessionRecorded | CourseComplete | None:
        """Record the patient's next session and plan its aftercare; None if the patient or
        their open course is gone."""
        async with self.units.unit_of_work() as uow:
            patient = await uow.patients.by_id(patient_id)
            if patient is None:
                return None
            outcome = await courses.record_session(
                uow,
                patient,
                held_at,
                patient.practitioner,
                self.plans,
                self.quiet,
                staff_id,
                self.clock.now(),
            )
        self.wake.wake()
        return outcome

    async def set_appointment(self, patient_id: int, at: datetime, staff_id: int | None) -> bool:
        """Set or move the next appointment and its reminders; False if the patient or their
        open course is gone."""
        async with self.units.unit_of_work() as uow:
            patient = await uow.patients.by_id(patient_id)
            if patient is None:
                return False
            now = self.clock.now()
            course = await courses.set_appointment(
                uow, patient, at, self.plans, self.quiet, staff_id, now
            )
            if course is not None and patient.id is not None:
                # The patient hears the new date at once, in their language and zone.
                await uow.outbox.add_unless_present(
                    ScheduledMessage(
                        unique_key=f"appointment-set:{patient.id}:{int(at.timestamp())}",
                        patient_id=patient.id,
                        kind="info",
                        message_key="appointment.set",
                        due_at=now,
                        valid_until=min(at, now + APPOINTMENT_NOTICE_VALID_FOR),
                        priority=Priority.REPLY,
                    )
                )
                await uow.commit()
        self.wake.wake()
        return course is not None

    async def cancel_appointment(self, patient_id: int, staff_id: int | None) -> bool:
        """Cancel the next appointment and its reminders; False if the patient or their open
        course is gone."""
        async with self.units.unit_of_work() as uow:
            patient = await uow.patients.by_id(patient_id)
            if patient is None:
                return False
            course = await courses.clear_appointment(uow, patient, staff_id, self.clock.now())
        self.wake.wake()
        return course is not None

    async def discharge(self, patient_id: int, staff_id: int) -> bool:
        """Close the patient's follow-up (one goodbye goes out); False if there was nothing to
        close."""
        async with self.units.unit_of_work() as uow:
            patient = await uow.patients.by_id(patient_id)
            if patient is None:
                return False
            done = await lifecycle.discharge(uow, patient, self.clock.now(), staff_id)
        self.wake.wake()
        return done

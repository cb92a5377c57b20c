"""Enrolling a patient after a session: a record, a course, the first session and a link."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.enrollment_links import EnrollmentLink, LinkPurpose, hash_token, new_token
from aftercare_bot.domain.errors import AftercareError
from aftercare_bot.domain.patient_names import first_name_only
from aftercare_bot.domain.patients import (
    Course,
    Enrollment,
    Patient,
    TreatmentSession,
    new_patient_code,
)
from aftercare_bot.domain.plans import Plan
from aftercare_bot.services.clinic_lists import listed_practitioner, listed_product
from aftercare_bot.services.ports import UnitOfWork

CODE_ATTEMPTS = 20


class NoFreePatientCode(AftercareError):
    """Random codes kept colliding: the code space is nearly full."""


@dataclass(frozen=True)
class EnrolledPatient:
    """What staff get back: the patient's code and the one-time token for their link."""

    patient: Patient
    course: Course
    session: TreatmentSession
    token: str


async def enroll_patient(
    uow: UnitOfWork, enrollment: Enrollment, plan: Plan, now: datetime, link_lifetime: timedelta
) -> EnrolledPatient:
    """Store a new patient with their course and first session, and issue their link.

    Raises:
        NotAFirstName: the name is not a first name only; nothing is stored.
    """
    display_name = first_name_only(enrollment.display_name)
    practitioner = await listed_practitioner(uow, enrollment.practitioner, now)
    product, batch = await listed_product(uow, enrollment.product, enrollment.batch, now)
    patient = Patient(
        code=await _unused_code(uow),
        display_name=display_name,
        timezone=enrollment.timezone,
        practitioner=practitioner,
        enrolled_at=now,
        language=enrollment.language,
        enrolled_by=enrollment.enrolled_by,
        import_key=enrollment.import_key,
    )
    uow.patients.add(patient)
    await uow.patients.flush()
    assert patient.id is not None
    course = Course(
        patient_id=patient.id,
        plan_name=plan.name,
        sessions_planned=plan.sessions,
        spacing=plan.spacing,
        started_at=enrollment.session_at,
        next_appointment_at=enrollment.next_appointment_at,
    )
    uow.patients.add(course)
    await uow.patients.flush()
    assert course.id is not None
    session = TreatmentSession(
        course_id=course.id,
        number=1,
        held_at=enrollment.session_at,
        practitioner=practitioner,
        product=product,
        batch=batch,
    )
    uow.patients.add(session)
    token = issue_link(
        uow, LinkPurpose.PATIENT, now, link_lifetime, enrollment.enrolled_by, patient.id
    )
    await uow.audit.record(
        AuditEvent(now, "patient.enrolled", enrollment.enrolled_by, subject=patient.code)
    )
    await uow.commit()
    return EnrolledPatient(patient, course, session, token)


async def issue_new_patient_link(
    uow: UnitOfWork, patient: Patient, now: datetime, lifetime: timedelta, by: int | None
) -> str:
    """A fresh link for an enrolled patient (lost link, new phone); earlier unused ones die."""
    assert patient.id is not None
    await uow.links.revoke_unused_for(patient.id, LinkPurpose.PATIENT)
    token = issue_link(uow, LinkPurpose.PATIENT, now, lifetime, by, patient.id)
    await uow.audit.record(AuditEvent(now, "patient.link_issued", by, subject=patient.code))
    await uow.commit()
    return token


def issue_link(
    uow: UnitOfWork,
    purpose: LinkPurpose,
    now: datetime,
    lifetime: timedelta,
    created_by: int | None,
    patient_id: int | None = None,
) -> str:
    """Stage a new one-time link and return its token (never stored in clear)."""
    token = new_token()
    uow.links.add(
        EnrollmentLink(
            token_hash=hash_token(token),
            purpose=purpose,
            created_at=now,
            expires_at=now + lifetime,
            patient_id=patient_id,
            created_by=created_by,
        )
    )
    return token


async def _unused_code(uow: UnitOfWork) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = new_patient_code()
        if not await uow.patients.code_taken(code):
            return code
    raise NoFreePatientCode()

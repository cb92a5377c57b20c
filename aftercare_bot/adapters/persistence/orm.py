"""Classical mapping: the domain's plain dataclasses are mapped onto the tables from outside.

The domain never imports SQLAlchemy; this module teaches SQLAlchemy about the domain once,
when the first `Database` is built.
"""

from sqlalchemy.orm import registry

from aftercare_bot.adapters.persistence import tables
from aftercare_bot.domain.check_ins import CheckIn
from aftercare_bot.domain.consent import ConsentEvent
from aftercare_bot.domain.enrollment_links import EnrollmentLink
from aftercare_bot.domain.incidents import Incident, IncidentCopy
from aftercare_bot.domain.outbox import ScheduledMessage
from aftercare_bot.domain.patients import Course, Patient, TreatmentSession
from aftercare_bot.domain.relay import RelayDraft
from aftercare_bot.domain.staff import StaffMember
from aftercare_bot.domain.tasks import StaffTask

mapper_registry = registry()
_started = False


def start_mappers() -> None:
    """Map every domain class onto its table (idempotent)."""
    global _started
    if _started:
        return
    mapper_registry.map_imperatively(Patient, tables.patients)
    mapper_registry.map_imperatively(Course, tables.courses)
    mapper_registry.map_imperatively(TreatmentSession, tables.treatment_sessions)
    mapper_registry.map_imperatively(EnrollmentLink, tables.enrollment_links)
    mapper_registry.map_imperatively(ConsentEvent, tables.consent_events)
    mapper_registry.map_imperatively(StaffMember, tables.staff_members)
    mapper_registry.map_imperatively(ScheduledMessage, tables.scheduled_messages)
    mapper_registry.map_imperatively(StaffTask, tables.staff_tasks)
    mapper_registry.map_imperatively(CheckIn, tables.check_ins)
    mapper_registry.map_imperatively(Incident, tables.incidents)
    mapper_registry.map_imperatively(IncidentCopy, tables.incident_copies)
    mapper_registry.map_imperatively(RelayDraft, tables.relay_drafts)
    _started = True

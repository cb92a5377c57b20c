"""Patients with messages due, written straight to the database for dispatcher tests."""

from datetime import datetime, timedelta

from aftercare_bot.domain.outbox import Priority, ScheduledMessage
from aftercare_bot.domain.patients import Patient, PatientStatus
from tests.fakes.unit_of_work import Units


async def add_patient_with_messages(
    database: Units, chat_id: int, messages: list[tuple[str, Priority, datetime]]
) -> None:
    """A linked patient in `chat_id` with (message key, priority, due) messages, in order."""
    async with database.unit_of_work() as uow:
        patient = Patient(
            code=f"P-{chat_id:05d}",
            display_name="Pat",
            timezone="Europe/London",
            practitioner="Grey",
            enrolled_at=min(due for _, _, due in messages),
            status=PatientStatus.LINKED,
            chat_id=chat_id,
        )
        uow.patients.add(patient)
        await uow.patients.flush()
        assert patient.id is not None
        for key, priority, due_at in messages:
            await uow.outbox.add_unless_present(
                ScheduledMessage(
                    unique_key=f"test:{chat_id}:{key}",
                    patient_id=patient.id,
                    kind="info",
                    message_key=key,
                    due_at=due_at,
                    valid_until=due_at + timedelta(hours=6),
                    priority=priority,
                )
            )
        await uow.commit()

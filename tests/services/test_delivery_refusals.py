"""A send Telegram refuses reaches staff in the same round, and a task of the bot's own
finding does not silence a patient's reassurance (fake and real unit of work)."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.errors import RecipientUnreachable
from aftercare_bot.domain.incidents import Incident, IncidentUrgency
from aftercare_bot.domain.outbox import MessageState, Priority, ScheduledMessage
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.patients import PatientStatus
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.delivery import Dispatcher
from tests.e2e.conftest import ImmediatePacer
from tests.fakes.unit_of_work import Units
from tests.services.outbox_data import add_patient_with_messages

NOW = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
CHAT = 5001


class RefusingSender:
    """Refuses every send to the chats in `refused`, as Telegram does a blocked bot."""

    def __init__(self, refused: set[int]) -> None:
        self.refused = refused
        self.sent: list[str] = []

    async def send(self, chat_id: int, message: Outgoing) -> int:
        if chat_id in self.refused:
            raise RecipientUnreachable("Forbidden: bot was blocked by the user")
        self.sent.append(message.text)
        return len(self.sent)


class StaffTimers:
    """The incident timer action: remembers the timers it acted on, by kind."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    async def __call__(self, timer: ScheduledMessage) -> None:
        self.kinds.append(timer.kind)


def dispatcher(units: Units, sender: RefusingSender, staff: StaffTimers) -> Dispatcher:
    return Dispatcher(
        database=units,
        sender=sender,
        compose=lambda delivery: Outgoing(delivery.message.message_key),
        pacer=ImmediatePacer(),
        clock=ManualClock(NOW),
        quiet=None,
        check_in_timing=CheckInTiming(timedelta(hours=8), timedelta(hours=24)),
        act_on_incident=staff,
    )


async def test_a_refused_send_reaches_staff_in_the_same_round(units: Units) -> None:
    await add_patient_with_messages(units, CHAT, [("plan.evening", Priority.PLAN, NOW)])
    staff = StaffTimers()
    report = await dispatcher(units, RefusingSender({CHAT}), staff).deliver_due()
    async with units.unit_of_work() as uow:
        patient = await uow.patients.by_chat(CHAT)
    await units.dispose()
    assert report.unreachable == 1
    assert patient is not None and patient.status == PatientStatus.UNREACHABLE
    assert len(staff.kinds) == 1  # the task's timer, acted on without waiting for a tick


async def test_a_round_without_refusals_acts_on_nothing_more(units: Units) -> None:
    await add_patient_with_messages(units, CHAT, [("plan.evening", Priority.PLAN, NOW)])
    staff = StaffTimers()
    report = await dispatcher(units, RefusingSender(set()), staff).deliver_due()
    await units.dispose()
    assert report.sent == 1 and report.unreachable == 0
    assert staff.kinds == []


async def reassurance_with_open_incident(units: Units, *, patient_reported: bool) -> str:
    """Where the evening reassurance ends up while the patient has an open incident."""
    await add_patient_with_messages(units, CHAT, [("plan.evening", Priority.PLAN, NOW)])
    async with units.unit_of_work() as uow:
        patient = await uow.patients.by_chat(CHAT)
        assert patient is not None and patient.id is not None
        for message in await uow.outbox.for_patient(patient.id):
            message.reassurance = True
        uow.incidents.add(
            Incident(
                patient_id=patient.id,
                urgency=IncidentUrgency.ROUTINE,
                opened_at=NOW - timedelta(hours=1),
                patient_reported=patient_reported,
            )
        )
        await uow.commit()
    sender = RefusingSender(set())
    await dispatcher(units, sender, StaffTimers()).deliver_due()
    async with units.unit_of_work() as uow:
        [evening] = await uow.outbox.for_patient(patient.id)
    await units.dispose()
    assert evening.state in (MessageState.SENT, MessageState.SKIPPED)
    return evening.state.value


async def test_a_report_the_patient_made_holds_back_expected_effects(units: Units) -> None:
    assert await reassurance_with_open_incident(units, patient_reported=True) == "skipped"


async def test_an_incident_of_the_bots_own_finding_does_not(units: Units) -> None:
    assert await reassurance_with_open_incident(units, patient_reported=False) == "sent"

"""Opening a one-time link and consenting, with no Telegram: who gets linked, who is refused
and why, and what becomes due; on the real database and on the fake."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.consent import CONSENT_TEXT_VERSION
from aftercare_bot.domain.enrollment_links import LinkProblem, hash_token, new_token
from aftercare_bot.domain.outbox import MessageState, Priority
from aftercare_bot.domain.patients import Patient, PatientStatus
from aftercare_bot.domain.staff import StaffRole
from aftercare_bot.services.enrollment import enroll_patient, issue_new_patient_link
from aftercare_bot.services.linking import (
    ConsentGiven,
    LinkOpened,
    Opening,
    accept_consent,
    decline_consent,
    open_link,
)
from aftercare_bot.services.staff import invite_staff, remove_staff, set_role, staff_role
from tests.fakes.unit_of_work import Units
from tests.services.test_enrollment import LIFETIME, NOW, PLAN, PLANS, QUIET, an_enrollment

ADMIN = 1001
ANNA_PHONE, NEW_PHONE, EVE = 501, 502, 666


@dataclass(frozen=True)
class Enrolled:
    """What staff hand the patient: their code, and the token in their link."""

    code: str
    token: str


async def enrolled(units: Units, name: str = "Anna", language: str | None = "en") -> Enrolled:
    """A patient enrolled at NOW, as /enroll does."""
    async with units.unit_of_work() as uow:
        result = await enroll_patient(
            uow, an_enrollment(name, language=language), PLAN, NOW, LIFETIME
        )
    return Enrolled(result.patient.code, result.token)


async def opened(units: Units, token: str, chat_id: int, now: datetime) -> LinkOpened:
    async with units.unit_of_work() as uow:
        return await open_link(uow, token, chat_id, "Anna", now)


async def agree(
    units: Units, link_id: int | None, chat_id: int, now: datetime, language: str = "en"
) -> ConsentGiven | LinkProblem:
    assert link_id is not None
    async with units.unit_of_work() as uow:
        return await accept_consent(uow, link_id, chat_id, language, PLANS, QUIET, now)


async def decline(
    units: Units, link_id: int | None, chat_id: int, now: datetime
) -> Patient | LinkProblem:
    assert link_id is not None
    async with units.unit_of_work() as uow:
        return await decline_consent(uow, link_id, chat_id, now)


async def linked(units: Units, token: str, chat_id: int, now: datetime) -> ConsentGiven:
    """The patient opens the link and taps Yes, I agree."""
    opening = await opened(units, token, chat_id, now)
    assert opening.outcome == Opening.ASK_CONSENT
    given = await agree(units, opening.link_id, chat_id, now)
    assert isinstance(given, ConsentGiven)
    return given


async def patient(units: Units, code: str) -> Patient:
    async with units.unit_of_work() as uow:
        found = await uow.patients.by_code(code)
    assert found is not None
    return found


async def new_link(units: Units, code: str, now: datetime) -> str:
    """Staff's /newlink for the patient (lost link, new phone)."""
    async with units.unit_of_work() as uow:
        found = await uow.patients.by_code(code)
        assert found is not None
        return await issue_new_patient_link(uow, found, now, LIFETIME, ADMIN)


async def steps(units: Units, code: str, state: MessageState | None = None) -> list[str]:
    """The patient's scheduled messages by step, in due order (only those in `state`)."""
    found = await patient(units, code)
    assert found.id is not None
    async with units.unit_of_work() as uow:
        rows = await uow.outbox.for_patient(found.id)
    return [str(row.step_key) for row in rows if state is None or row.state == state]


async def actions(units: Units, since: datetime) -> list[tuple[str, int | None, str | None]]:
    async with units.unit_of_work() as uow:
        return [(e.action, e.actor_telegram_id, e.subject) for e in await uow.audit.since(since)]


async def test_opening_a_link_asks_for_consent_and_links_nothing_yet(units: Units) -> None:
    anna = await enrolled(units)
    opening = await opened(units, anna.token, ANNA_PHONE, NOW)
    assert opening.outcome == Opening.ASK_CONSENT and opening.problem is None
    assert opening.patient is not None
    assert (opening.patient.code, opening.patient.display_name) == (anna.code, "Anna")
    stored = await patient(units, anna.code)
    assert (stored.status, stored.chat_id) == (PatientStatus.NOT_LINKED, None)
    assert await steps(units, anna.code) == []


async def test_consenting_links_the_chat_and_makes_the_aftercare_due_at_once(
    units: Units,
) -> None:
    clock = ManualClock(NOW)
    anna = await enrolled(units)
    clock.advance(timedelta(hours=1))
    given = await linked(units, anna.token, ANNA_PHONE, clock.now())
    assert (given.patient.code, given.moved_from_chat) == (anna.code, None)
    stored = await patient(units, anna.code)
    assert (stored.status, stored.chat_id) == (PatientStatus.LINKED, ANNA_PHONE)
    async with units.unit_of_work() as uow:
        in_chat = await uow.patients.by_chat(ANNA_PHONE)
        due = await uow.outbox.due(clock.now(), 10)
    assert in_chat is not None and in_chat.code == anna.code
    # The dispatcher's next look sends the instructions, ahead of bulk reminders.
    assert [(m.step_key, m.due_at, m.priority) for m in due] == [
        ("aftercare", clock.now(), Priority.REPLY)
    ]
    clock.set(datetime(2026, 11, 25, 19, 0, tzinfo=UTC))
    async with units.unit_of_work() as uow:
        due = await uow.outbox.due(clock.now(), 10)
    assert [m.step_key for m in due] == ["aftercare", "evening"]


async def test_consent_is_recorded_with_its_text_version_and_audited(units: Units) -> None:
    anna = await enrolled(units)
    await linked(units, anna.token, ANNA_PHONE, NOW)
    stored = await patient(units, anna.code)
    assert stored.id is not None
    async with units.unit_of_work() as uow:
        record = await uow.records.export(stored.id)
    assert [(e["change"], e["text_version"]) for e in record["consent"]] == [
        ("accepted", CONSENT_TEXT_VERSION)
    ]
    assert ("patient.linked", None, anna.code) in await actions(units, NOW)


async def test_a_patient_linking_days_later_gets_no_stale_messages(units: Units) -> None:
    anna = await enrolled(units)
    later = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # two days after the session
    await linked(units, anna.token, ANNA_PHONE, later)
    # The first evening and the day-1 check-in were no longer worth sending: kept as skipped.
    assert await steps(units, anna.code, MessageState.SKIPPED) == ["evening", "checkin-day1"]
    assert await steps(units, anna.code, MessageState.PENDING) == [
        "aftercare",
        "checkin-day3",
        "checkin-day7",
        "reminder-day-before",
        "reminder-2h",
    ]
    async with units.unit_of_work() as uow:
        assert [m.step_key for m in await uow.outbox.due(later, 10)] == ["aftercare"]


async def test_the_patients_language_comes_from_telegram_only_when_staff_left_it_open(
    units: Units,
) -> None:
    anna = await enrolled(units, "Anna", language="en")
    boris = await enrolled(units, "Boris", language=None)
    for each, chat_id in ((anna, ANNA_PHONE), (boris, NEW_PHONE)):
        opening = await opened(units, each.token, chat_id, NOW)
        assert isinstance(await agree(units, opening.link_id, chat_id, NOW, "ru"), ConsentGiven)
    assert (await patient(units, anna.code)).language == "en"
    assert (await patient(units, boris.code)).language == "ru"


async def test_a_used_link_is_refused_the_second_time_but_reassures_its_owner(
    units: Units,
) -> None:
    anna = await enrolled(units)
    await linked(units, anna.token, ANNA_PHONE, NOW)
    later = NOW + timedelta(hours=1)
    again = await opened(units, anna.token, ANNA_PHONE, later)
    assert (again.outcome, again.problem) == (Opening.PROBLEM, LinkProblem.ALREADY_YOURS)
    eve = await opened(units, anna.token, EVE, later)
    assert (eve.outcome, eve.problem) == (Opening.PROBLEM, LinkProblem.USED)
    assert await agree(units, eve.link_id, EVE, later) == LinkProblem.USED
    assert (await patient(units, anna.code)).chat_id == ANNA_PHONE


async def test_a_link_the_patient_opened_is_refused_to_anyone_else(units: Units) -> None:
    anna = await enrolled(units)
    opening = await opened(units, anna.token, ANNA_PHONE, NOW)
    eve = await opened(units, anna.token, EVE, NOW)
    assert (eve.outcome, eve.problem) == (Opening.PROBLEM, LinkProblem.OPENED_ELSEWHERE)
    assert await agree(units, opening.link_id, EVE, NOW) == LinkProblem.OPENED_ELSEWHERE
    assert await decline(units, opening.link_id, EVE, NOW) == LinkProblem.OPENED_ELSEWHERE
    assert (await patient(units, anna.code)).status == PatientStatus.NOT_LINKED
    # The patient may open it again, and can still agree.
    assert (await opened(units, anna.token, ANNA_PHONE, NOW)).outcome == Opening.ASK_CONSENT
    assert isinstance(await agree(units, opening.link_id, ANNA_PHONE, NOW), ConsentGiven)
    assert (await patient(units, anna.code)).chat_id == ANNA_PHONE


async def test_an_expired_link_is_refused_from_the_moment_it_expires(units: Units) -> None:
    anna = await enrolled(units)
    just_before = NOW + LIFETIME - timedelta(seconds=1)
    assert (await opened(units, anna.token, ANNA_PHONE, just_before)).outcome == (
        Opening.ASK_CONSENT
    )
    expired = await opened(units, anna.token, ANNA_PHONE, NOW + LIFETIME)
    assert (expired.outcome, expired.problem) == (Opening.PROBLEM, LinkProblem.EXPIRED)


async def test_agreeing_after_the_link_expired_links_nothing(units: Units) -> None:
    anna = await enrolled(units)
    opening = await opened(units, anna.token, ANNA_PHONE, NOW + timedelta(days=6))
    assert await agree(units, opening.link_id, ANNA_PHONE, NOW + LIFETIME) == LinkProblem.EXPIRED
    stored = await patient(units, anna.code)
    assert (stored.status, stored.chat_id) == (PatientStatus.NOT_LINKED, None)
    assert await steps(units, anna.code) == []


async def test_a_token_nobody_issued_is_refused_as_unknown(units: Units) -> None:
    await enrolled(units)
    opening = await opened(units, new_token(), EVE, NOW)
    assert (opening.outcome, opening.problem, opening.link_id) == (
        Opening.PROBLEM,
        LinkProblem.UNKNOWN,
        None,
    )


async def test_a_forged_consent_button_links_nothing(units: Units) -> None:
    anna = await enrolled(units)
    async with units.unit_of_work() as uow:
        link = await uow.links.by_token_hash(hash_token(anna.token))
    assert link is not None and link.id is not None
    # Eve never opened the link with its token, or names a link that does not exist.
    assert await agree(units, link.id, EVE, NOW) == LinkProblem.UNKNOWN
    assert await decline(units, link.id, EVE, NOW) == LinkProblem.UNKNOWN
    assert await agree(units, link.id + 1000, EVE, NOW) == LinkProblem.UNKNOWN
    stored = await patient(units, anna.code)
    assert (stored.status, stored.chat_id) == (PatientStatus.NOT_LINKED, None)
    assert (await opened(units, anna.token, ANNA_PHONE, NOW)).outcome == Opening.ASK_CONSENT


async def test_a_staff_invitation_makes_whoever_opens_it_staff_once(units: Units) -> None:
    async with units.unit_of_work() as uow:
        token = await invite_staff(uow, ADMIN, NOW, LIFETIME)
    async with units.unit_of_work() as uow:
        joined = await open_link(uow, token, 777, "Nina", NOW + timedelta(minutes=1))
    assert joined.outcome == Opening.STAFF_JOINED
    async with units.unit_of_work() as uow:
        assert await staff_role(uow, 777, [ADMIN]) == StaffRole.STAFF
        member = await uow.staff.get(777)
        second = await open_link(uow, token, 778, "Olga", NOW + timedelta(minutes=2))
        assert await staff_role(uow, 778, [ADMIN]) is None
    assert member is not None and (member.display_name, member.added_by) == ("Nina", ADMIN)
    assert second.problem == LinkProblem.USED
    assert ("staff.joined", 777, None) in await actions(units, NOW)
    # An invitation is not a patient's link: its id in a consent button is refused.
    assert await agree(units, joined.link_id, 777, NOW) == LinkProblem.UNKNOWN


async def test_a_removed_member_invited_again_is_staff_again_under_their_new_name(
    units: Units,
) -> None:
    async with units.unit_of_work() as uow:
        first = await invite_staff(uow, ADMIN, NOW, LIFETIME)
    assert (await opened(units, first, 777, NOW)).outcome == Opening.STAFF_JOINED
    async with units.unit_of_work() as uow:
        assert await remove_staff(uow, ADMIN, 777, NOW + timedelta(days=1)) is not None
    async with units.unit_of_work() as uow:
        assert await staff_role(uow, 777, [ADMIN]) is None
        second = await invite_staff(uow, ADMIN, NOW + timedelta(days=2), LIFETIME)
    long_name = "Nina Bergström-" * 6
    async with units.unit_of_work() as uow:
        rejoined = await open_link(uow, second, 777, long_name, NOW + timedelta(days=2))
    assert rejoined.outcome == Opening.STAFF_JOINED
    async with units.unit_of_work() as uow:
        assert await staff_role(uow, 777, [ADMIN]) == StaffRole.STAFF
        member = await uow.staff.get(777)
    assert member is not None and member.removed_at is None
    assert member.display_name == long_name[:64]


async def test_a_chat_that_follows_one_patient_cannot_take_anothers_link(units: Units) -> None:
    anna = await enrolled(units, "Anna")
    boris = await enrolled(units, "Boris")
    await linked(units, anna.token, ANNA_PHONE, NOW)
    taken = await opened(units, boris.token, ANNA_PHONE, NOW)
    assert taken.outcome == Opening.CHAT_TAKEN
    stored = await patient(units, boris.code)
    assert (stored.status, stored.chat_id) == (PatientStatus.NOT_LINKED, None)
    # Anna's chat did not claim Boris's link: Boris can still open it.
    assert (await opened(units, boris.token, NEW_PHONE, NOW)).outcome == Opening.ASK_CONSENT


async def test_a_chat_linked_to_someone_else_meanwhile_cannot_consent_for_a_second_patient(
    units: Units,
) -> None:
    anna = await enrolled(units, "Anna")
    boris = await enrolled(units, "Boris")
    boris_opening = await opened(units, boris.token, ANNA_PHONE, NOW)
    await linked(units, anna.token, ANNA_PHONE, NOW)
    assert await agree(units, boris_opening.link_id, ANNA_PHONE, NOW) == LinkProblem.USED
    assert (await patient(units, boris.code)).chat_id is None
    assert (await patient(units, anna.code)).chat_id == ANNA_PHONE


async def test_a_new_link_moves_a_linked_patient_to_a_new_phone_without_doubling_messages(
    units: Units,
) -> None:
    anna = await enrolled(units)
    await linked(units, anna.token, ANNA_PHONE, NOW)
    planned = await steps(units, anna.code)
    later = NOW + timedelta(days=2)
    moved = await linked(units, await new_link(units, anna.code, later), NEW_PHONE, later)
    assert moved.moved_from_chat == ANNA_PHONE
    stored = await patient(units, anna.code)
    assert (stored.status, stored.chat_id) == (PatientStatus.LINKED, NEW_PHONE)
    async with units.unit_of_work() as uow:
        assert await uow.patients.by_chat(ANNA_PHONE) is None
    assert await steps(units, anna.code) == planned  # the plan was expanded once, not again


async def test_declining_spends_the_link_and_keeps_no_chat(units: Units) -> None:
    anna = await enrolled(units)
    opening = await opened(units, anna.token, ANNA_PHONE, NOW)
    declined = await decline(units, opening.link_id, ANNA_PHONE, NOW)
    assert isinstance(declined, Patient) and declined.code == anna.code
    stored = await patient(units, anna.code)
    assert (stored.status, stored.chat_id) == (PatientStatus.DECLINED, None)
    assert await steps(units, anna.code) == []
    assert stored.id is not None
    async with units.unit_of_work() as uow:
        record = await uow.records.export(stored.id)
    assert [e["change"] for e in record["consent"]] == ["declined"]
    assert ("patient.declined", None, anna.code) in await actions(units, NOW)
    # Changing their mind takes a new link from the clinic.
    assert await agree(units, opening.link_id, ANNA_PHONE, NOW) == LinkProblem.USED
    assert (await opened(units, anna.token, ANNA_PHONE, NOW)).problem == LinkProblem.USED


async def test_declining_on_a_new_phone_leaves_the_follow_up_on_the_old_one(
    units: Units,
) -> None:
    anna = await enrolled(units)
    await linked(units, anna.token, ANNA_PHONE, NOW)
    later = NOW + timedelta(days=1)
    opening = await opened(units, await new_link(units, anna.code, later), NEW_PHONE, later)
    assert opening.outcome == Opening.ASK_CONSENT
    assert isinstance(await decline(units, opening.link_id, NEW_PHONE, later), Patient)
    stored = await patient(units, anna.code)
    assert (stored.status, stored.chat_id) == (PatientStatus.LINKED, ANNA_PHONE)


async def test_a_member_made_admin_who_is_removed_and_invited_again_is_staff(
    units: Units,
) -> None:
    async with units.unit_of_work() as uow:
        first = await invite_staff(uow, ADMIN, NOW, LIFETIME)
    assert (await opened(units, first, 777, NOW)).outcome == Opening.STAFF_JOINED
    async with units.unit_of_work() as uow:
        assert await set_role(uow, ADMIN, 777, True, NOW) is not None
        assert await staff_role(uow, 777, [ADMIN]) == StaffRole.ADMIN
        assert await remove_staff(uow, ADMIN, 777, NOW) is not None
        second = await invite_staff(uow, ADMIN, NOW, LIFETIME)
    assert (await opened(units, second, 777, NOW)).outcome == Opening.STAFF_JOINED
    async with units.unit_of_work() as uow:
        assert await staff_role(uow, 777, [ADMIN]) == StaffRole.STAFF

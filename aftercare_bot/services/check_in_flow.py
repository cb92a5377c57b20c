"""A check-in answered in a few taps: one question at a time, triaged at every tap.

The flow's state (answers so far, the question on screen) is stored with the check-in, never
in process memory, so a restart loses nothing. Every press names its check-in and step and is
checked against the presser: a patient can only answer their own check-in. A press on a
check-in already answered starts a fresh one with that answer: what a patient reports is never
discarded.

An answer that is urgent on its own (a severe level, an urgent warning sign) is reported at
that tap, whatever the patient does next; a check-in left halfway is closed and triaged
`checkins.abandon_after` after its last answer.
"""

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aftercare_bot.domain.check_in_answers import (
    Answers,
    CheckInRecord,
    days_since_session,
)
from aftercare_bot.domain.check_in_steps import (
    Step,
    after_press,
    answers_of,
    keep_result,
    new_reasons,
)
from aftercare_bot.domain.check_ins import CheckIn, CheckInState
from aftercare_bot.domain.incidents import IncidentState
from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.triage import TriageResult, TriageRules, Urgency, triage
from aftercare_bot.services.check_ins import CheckInTiming, record_answered, record_progress
from aftercare_bot.services.ports import UnitOfWork


@dataclass(frozen=True)
class Progress:
    """Where a check-in stands after an action; `result` once it is finished.

    `urgent_now` is set at the tap that first makes an unreported check-in urgent (staff must
    hear at once); `urgent_more` when a check-in already reported gains urgent reasons;
    `reported` when the check-in already belongs to an incident (its end is a follow-up
    under that incident, never a second one).
    """

    check_in: CheckIn
    patient: Patient
    answers: Answers
    step: Step
    result: TriageResult | None = None
    day: int = 0
    restarted: bool = False
    urgent_now: TriageResult | None = None
    urgent_more: TriageResult | None = None
    reported: bool = False
    acknowledged: bool = False  # the incident it reported to is acknowledged
    left_unfinished: bool = False


async def begin(
    uow: UnitOfWork, patient: Patient, now: datetime, scheduled_message_id: int | None = None
) -> CheckIn:
    """A new check-in at its first question (from the plan, /checkin or "I have a concern")."""
    assert patient.id is not None
    check_in = CheckIn(
        patient.id, now, scheduled_message_id=scheduled_message_id, step=Step.REDNESS.value
    )
    uow.check_ins.add(check_in)
    await uow.check_ins.flush()
    return check_in


async def press(
    uow: UnitOfWork,
    check_in_id: int,
    step: Step,
    value: str,
    chat_id: int,
    rules: TriageRules,
    now: datetime,
    timing: CheckInTiming,
) -> Progress | None:
    """Apply one button press; None when the check-in is not the presser's (or does not exist)."""
    patient = await uow.patients.by_chat(chat_id)
    check_in = await uow.check_ins.by_id(check_in_id)
    if patient is None or check_in is None or check_in.patient_id != patient.id:
        return None
    restarted = False
    if check_in.state == CheckInState.ANSWERED:
        check_in = await begin(uow, patient, now)
        restarted = True
    elif check_in.state == CheckInState.MISSED:
        check_in.state = CheckInState.OPEN  # a late answer counts; its timers start again
    answers, next_step = after_press(answers_of(check_in), Step(check_in.step or step), step, value)
    progress = await _save(uow, check_in, patient, answers, next_step, rules, now, timing)
    return replace_restarted(progress, restarted)


async def give_photo(
    uow: UnitOfWork,
    chat_id: int,
    file_id: str,
    rules: TriageRules,
    now: datetime,
    timing: CheckInTiming,
) -> Progress | None:
    """A photo sent while the patient's check-in asks for one; None if none is asking."""
    found = await _waiting_for(uow, chat_id, Step.PHOTO)
    if found is None:
        return None
    check_in, patient = found
    check_in.photo_file_id = file_id
    return await _save(
        uow, check_in, patient, answers_of(check_in).with_photo(), Step.NOTE, rules, now, timing
    )


async def give_note(
    uow: UnitOfWork,
    chat_id: int,
    text: str,
    rules: TriageRules,
    now: datetime,
    timing: CheckInTiming,
) -> Progress | None:
    """A note typed while the patient's check-in asks for one; None if none is asking."""
    found = await _waiting_for(uow, chat_id, Step.NOTE)
    if found is None:
        return None
    check_in, patient = found
    answers = answers_of(check_in).with_note(text[:1000])
    return await _save(uow, check_in, patient, answers, Step.DONE, rules, now, timing)


async def _waiting_for(uow: UnitOfWork, chat_id: int, step: Step) -> tuple[CheckIn, Patient] | None:
    patient = await uow.patients.by_chat(chat_id)
    if patient is None or patient.id is None:
        return None
    for check_in in reversed(await uow.check_ins.of_patient(patient.id)):
        if check_in.state != CheckInState.ANSWERED and check_in.step == step.value:
            return check_in, patient
    return None


async def _save(
    uow: UnitOfWork,
    check_in: CheckIn,
    patient: Patient,
    answers: Answers,
    step: Step,
    rules: TriageRules,
    now: datetime,
    timing: CheckInTiming,
) -> Progress:
    # Read everything first: the first write takes the database's write lock (SQLite has one
    # for the whole file), and every read made after it would hold every other writer back.
    record, history = await _records(uow, check_in, patient, answers, now)
    result = triage(record, history, rules)
    link = await _link(uow, check_in, result)
    check_in.answers = json.dumps(answers.to_json())
    check_in.step = step.value
    if step != Step.DONE:
        await record_progress(uow, check_in, now, timing)
        urgent_now = urgent_more = None
        if result.urgency == Urgency.URGENT and link.report_afresh:
            urgent_now = result
        elif link.new_urgent and link.open:
            urgent_more = result  # under the open incident (re-opening it if acknowledged)
        if urgent_now or urgent_more:
            check_in.urgency = result.urgency.value
            check_in.reasons = json.dumps(result.to_json())
        await uow.commit()
        return Progress(
            check_in,
            patient,
            answers,
            step,
            day=record.day,
            urgent_now=urgent_now,
            urgent_more=urgent_more,
            reported=not link.report_afresh,
            acknowledged=link.acknowledged,
        )
    keep_result(check_in, result)
    assert check_in.id is not None
    await record_answered(uow, check_in.id, now)  # commits; cancels its timers
    return Progress(
        check_in, patient, answers, step, result, record.day, reported=not link.report_afresh
    )


@dataclass(frozen=True)
class _Link:
    """How this check-in stands to the incident it reported to, if any."""

    open: bool = False
    acknowledged: bool = False
    new_urgent: bool = False  # urgent reasons the incident has not heard of
    report_afresh: bool = True  # never reported, or its incident closed and something new


async def _link(uow: UnitOfWork, check_in: CheckIn, result: TriageResult) -> _Link:
    """Later answers go under the incident this check-in reported to. Once staff resolved it,
    the same findings stay under it, but a new urgent one opens a new incident and pages."""
    new_urgent = result.urgency == Urgency.URGENT and new_reasons(check_in, result)
    incident = await uow.incidents.by_id(check_in.incident_id) if check_in.incident_id else None
    if incident is None:
        return _Link(new_urgent=new_urgent)
    is_open = incident.is_open
    return _Link(
        open=is_open,
        acknowledged=incident.state == IncidentState.ACKNOWLEDGED,
        new_urgent=new_urgent,
        report_afresh=new_urgent and not is_open,
    )


async def close_unfinished(
    uow: UnitOfWork, check_in_id: int, rules: TriageRules, now: datetime
) -> Progress | None:
    """The abandon (or expiry) timer of a check-in with answers fired: close it and triage what
    it has, as of its last answer. None when it was finished, or never started."""
    check_in = await uow.check_ins.by_id(check_in_id)
    if check_in is None or check_in.state == CheckInState.ANSWERED or not check_in.answers:
        return None
    patient = await uow.patients.by_id(check_in.patient_id)
    if patient is None:
        return None
    answers = answers_of(check_in)
    answered_at = check_in.last_answer_at or now
    record, history = await _records(uow, check_in, patient, answers, answered_at)
    result = triage(record, history, rules)
    reported = not (await _link(uow, check_in, result)).report_afresh
    keep_result(check_in, result)
    check_in.left_unfinished_at = now
    await record_answered(uow, check_in_id, answered_at)  # commits; cancels its timers
    return Progress(
        check_in,
        patient,
        answers,
        Step.DONE,
        result,
        record.day,
        reported=reported,
        left_unfinished=True,
    )


async def _records(
    uow: UnitOfWork, check_in: CheckIn, patient: Patient, answers: Answers, now: datetime
) -> tuple[CheckInRecord, list[CheckInRecord]]:
    """This check-in and the patient's earlier answered ones, each with its day since session."""
    assert patient.id is not None
    course = await uow.patients.current_course(patient.id)
    session = await uow.patients.latest_session(course.id) if course and course.id else None
    zone = ZoneInfo(patient.timezone)
    session_at = session.held_at if session else patient.enrolled_at

    def day(moment: datetime) -> int:
        return max(days_since_session(session_at, moment, zone), 0)

    history = [
        CheckInRecord(earlier.answered_at, day(earlier.answered_at), answers_of(earlier))
        for earlier in await uow.check_ins.of_patient(patient.id)
        if earlier.id != check_in.id
        and earlier.answered_at is not None
        and earlier.answers
        and earlier.answered_at >= session_at
    ]
    return CheckInRecord(now, day(now), answers), history


def replace_restarted(progress: Progress, restarted: bool) -> Progress:
    """Mark a progress that began a fresh check-in (a late press on an answered one)."""
    if not restarted:
        return progress
    return dataclasses.replace(progress, restarted=True)

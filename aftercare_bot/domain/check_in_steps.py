"""The check-in's step machine: which question comes after which answer, and what a finished
check-in keeps. Pure: the use cases in services/check_in_flow.py store what it decides.

The questions are asked in ORDER; "back" returns to the previous one, "fine" ends the check-in
with every symptom at none, a symptom's level moves to the next unanswered symptom, and the
warning signs are toggled until "done" (a note is asked for at once when "other" is ticked).
"""

import json
from enum import StrEnum

from aftercare_bot.domain.check_in_answers import Answers, Level, Symptom, WarningSign
from aftercare_bot.domain.check_ins import CheckIn
from aftercare_bot.domain.triage import TriageResult, Urgency


class Step(StrEnum):
    """The questions, in the order they are asked."""

    REDNESS = "redness"
    SWELLING = "swelling"
    BRUISING = "bruising"
    SIGNS = "signs"
    PHOTO = "photo"
    NOTE = "note"
    DONE = "done"


ORDER = (Step.REDNESS, Step.SWELLING, Step.BRUISING, Step.SIGNS, Step.PHOTO, Step.NOTE)
SYMPTOM_STEPS = {
    Step.REDNESS: Symptom.REDNESS,
    Step.SWELLING: Symptom.SWELLING,
    Step.BRUISING: Symptom.BRUISING,
}


def answers_of(check_in: CheckIn) -> Answers:
    """The stored answers (empty for a new check-in)."""
    return Answers.from_json(json.loads(check_in.answers)) if check_in.answers else Answers()


def after_press(answers: Answers, current: Step, pressed: Step, value: str) -> tuple[Answers, Step]:
    """The answers and the next question after one press (stale steps are taken as pressed)."""
    if value == "back":
        index = ORDER.index(current) if current in ORDER else len(ORDER)
        return answers, ORDER[max(index - 1, 0)]
    if value == "fine":
        return Answers.all_fine(), Step.DONE
    if pressed in SYMPTOM_STEPS:
        answers = answers.with_level(SYMPTOM_STEPS[pressed], Level.parse(value))
        return answers, after_levels(answers)
    if pressed == Step.SIGNS and value == "done":
        return (
            answers,
            Step.NOTE if WarningSign.OTHER in answers.signs and not answers.note else Step.PHOTO,
        )
    if pressed == Step.SIGNS:
        return answers.with_sign_toggled(WarningSign(value)), Step.SIGNS
    if pressed == Step.PHOTO and value == "skip":
        return answers, Step.NOTE
    if pressed == Step.NOTE and value == "skip":
        return answers, Step.DONE
    return answers, current


def after_levels(answers: Answers) -> Step:
    missing = answers.next_symptom
    if missing is None:
        return Step.SIGNS
    return next(step for step, symptom in SYMPTOM_STEPS.items() if symptom == missing)


def keep_result(check_in: CheckIn, result: TriageResult) -> None:
    """The check-in keeps the triage of its final answers; the incident an earlier urgent tap
    opened keeps its own urgency (a lower answer is a correction under it, not a downgrade)."""
    check_in.urgency = result.urgency.value
    check_in.reasons = json.dumps(result.to_json())


def new_reasons(check_in: CheckIn, result: TriageResult) -> bool:
    """Urgent reasons the incident has not heard of yet (e.g. fever ticked after a severe
    level was reported)."""
    known = (
        TriageResult.from_json(json.loads(check_in.reasons)).reasons
        if check_in.reasons and check_in.urgency == Urgency.URGENT.value
        else ()
    )
    return any(
        reason.urgency == Urgency.URGENT and reason not in known for reason in result.reasons
    )

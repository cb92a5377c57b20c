"""How a check-in looks: one question and its buttons, in the patient's language."""

from aftercare_bot.adapters.telegram.views.callback_data import CheckInAnswer
from aftercare_bot.domain.check_in_answers import Answers, Level, WarningSign
from aftercare_bot.domain.check_in_steps import ORDER, Step
from aftercare_bot.domain.outgoing import Outgoing
from aftercare_bot.domain.triage import Reason, ReasonKind
from aftercare_bot.texts import Texts

TICK = "✓ "


def _button(
    texts: Texts, language: str, key: str, check_in_id: int, step: Step, value: str
) -> tuple[str, str]:
    return texts.render(language, key), CheckInAnswer(check_in_id, step, value).data()


def question(
    texts: Texts, language: str, check_in_id: int, step: Step, answers: Answers, max_mb: int
) -> Outgoing:
    """The question for `step`, with its buttons (Back everywhere but the first)."""
    progress = f"({ORDER.index(step) + 1}/{len(ORDER)})" if step in ORDER else ""
    other_note = step == Step.NOTE and WarningSign.OTHER in answers.signs and not answers.note
    key = "checkin_flow.q_other_note" if other_note else f"checkin_flow.q_{step.value}"
    text = texts.render(language, key, progress=progress, max_mb=max_mb)
    rows: list[tuple[tuple[str, str], ...]] = []
    if step in (Step.REDNESS, Step.SWELLING, Step.BRUISING):
        rows.append(
            tuple(
                _button(texts, language, f"buttons.level_{level.key}", check_in_id, step, level.key)
                for level in Level
            )
        )
        if step == Step.REDNESS:
            rows.append((_button(texts, language, "buttons.all_fine", check_in_id, step, "fine"),))
    elif step == Step.SIGNS:
        for sign in WarningSign:
            label = texts.render(language, f"checkin_flow.sign_{sign.value}")
            ticked = TICK if sign in answers.signs else ""
            rows.append(
                (
                    (
                        ticked + label,
                        CheckInAnswer(check_in_id, step, sign.value).data(),
                    ),
                )
            )
        rows.append((_button(texts, language, "buttons.done", check_in_id, step, "done"),))
    elif step in (Step.PHOTO, Step.NOTE) and not other_note:
        rows.append((_button(texts, language, "buttons.skip", check_in_id, step, "skip"),))
    if step != Step.REDNESS:
        rows.append((_button(texts, language, "buttons.back", check_in_id, step, "back"),))
    return Outgoing(text, tuple(rows))


def answers_summary(texts: Texts, language: str, answers: Answers) -> str:
    """One line for staff: every answer, the signs, the note, whether there is a photo."""

    def level(symptom: str) -> str:
        found = next((lvl for s, lvl in answers.levels.items() if s.value == symptom), None)
        return (
            texts.render(language, f"checkin_flow.level_{found.key}") if found is not None else "—"
        )

    signs = ", ".join(
        texts.render(language, f"checkin_flow.sign_{sign.value}") for sign in sorted(answers.signs)
    )
    return texts.render(
        language,
        "checkin_flow.staff_answers",
        redness=level("redness"),
        swelling=level("swelling"),
        bruising=level("bruising"),
        signs=signs or texts.render(language, "checkin_flow.none_given"),
        note=answers.note or texts.render(language, "checkin_flow.none_given"),
        photo=texts.render(
            language, "checkin_flow.yes" if answers.has_photo else "checkin_flow.no"
        ),
    )


def reason_text(texts: Texts, language: str, reason: Reason) -> str:
    """A triage reason as staff read it: "swelling moderate on day 4, was mild on day 1".

    A symptom that is worse than at the previous check-in says so whichever rule made it a
    reason (a severe level too: its urgency is the post's headline, its level says severe).
    """

    def name(prefix: str, value: object) -> str:
        key = getattr(value, "key", None) or getattr(value, "value", None) or str(value)
        return texts.render(language, f"checkin_flow.{prefix}_{key}")

    symptom = name("symptom", reason.symptom) if reason.symptom else ""
    level = name("level", reason.level) if reason.level is not None else ""
    if reason.kind == ReasonKind.WORSE_THAN_BEFORE or reason.previous_level is not None:
        previous = name("level", reason.previous_level) if reason.previous_level is not None else ""
        return texts.render(
            language,
            "checkin_flow.reason_worse",
            symptom=symptom,
            level=level,
            day=reason.day,
            previous=previous,
            previous_day=reason.previous_day,
        )
    if reason.kind == ReasonKind.SEVERE_SYMPTOM:
        return texts.render(
            language, "checkin_flow.reason_severe", symptom=symptom, level=level, day=reason.day
        )
    if reason.kind == ReasonKind.WARNING_SIGN:
        return texts.render(language, "checkin_flow.reason_sign", sign=name("sign", reason.sign))
    if reason.kind == ReasonKind.NOT_SUBSIDING:
        return texts.render(
            language,
            "checkin_flow.reason_not_subsiding",
            symptom=symptom,
            level=level,
            day=reason.day,
        )
    if reason.kind == ReasonKind.SOMETHING_ELSE:
        return texts.render(language, "checkin_flow.reason_something_else")
    return texts.render(language, "checkin_flow.reason_note_or_photo")

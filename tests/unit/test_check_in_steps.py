"""The check-in step machine: the question that follows each press, with no I/O."""

from aftercare_bot.domain.check_in_answers import Answers, Level, Symptom, WarningSign
from aftercare_bot.domain.check_in_steps import ORDER, Step, after_press


def test_a_level_moves_to_the_next_symptom_not_yet_answered() -> None:
    answers, step = after_press(Answers(), Step.REDNESS, Step.REDNESS, "mild")
    assert answers.levels == {Symptom.REDNESS: Level.MILD}
    assert step == Step.SWELLING


def test_the_last_level_moves_to_the_warning_signs() -> None:
    answers = Answers().with_level(Symptom.REDNESS, Level.NONE)
    answers = answers.with_level(Symptom.SWELLING, Level.MILD)
    _, step = after_press(answers, Step.BRUISING, Step.BRUISING, "none")
    assert step == Step.SIGNS


def test_a_level_changed_on_an_old_question_goes_back_to_the_first_unanswered() -> None:
    answers = Answers().with_level(Symptom.REDNESS, Level.NONE)
    changed, step = after_press(answers, Step.SWELLING, Step.REDNESS, "severe")
    assert changed.levels[Symptom.REDNESS] == Level.SEVERE
    assert step == Step.SWELLING


def test_all_fine_ends_at_once_with_every_symptom_at_none() -> None:
    answers, step = after_press(Answers(), Step.REDNESS, Step.REDNESS, "fine")
    assert step == Step.DONE
    assert set(answers.levels.values()) == {Level.NONE}
    assert answers.complete


def test_back_returns_one_question_and_never_before_the_first() -> None:
    for current in ORDER[1:]:
        _, step = after_press(Answers(), current, current, "back")
        assert step == ORDER[ORDER.index(current) - 1]
    _, step = after_press(Answers(), Step.REDNESS, Step.REDNESS, "back")
    assert step == Step.REDNESS


def test_signs_toggle_until_done_then_a_photo_is_asked_for() -> None:
    answers, step = after_press(Answers(), Step.SIGNS, Step.SIGNS, WarningSign.FEVER.value)
    assert answers.signs == {WarningSign.FEVER} and step == Step.SIGNS
    answers, step = after_press(answers, Step.SIGNS, Step.SIGNS, WarningSign.FEVER.value)
    assert answers.signs == set() and step == Step.SIGNS
    _, step = after_press(answers, Step.SIGNS, Step.SIGNS, "done")
    assert step == Step.PHOTO


def test_other_ticked_asks_for_the_note_before_the_photo() -> None:
    answers = Answers().with_sign_toggled(WarningSign.OTHER)
    _, step = after_press(answers, Step.SIGNS, Step.SIGNS, "done")
    assert step == Step.NOTE
    _, step = after_press(answers.with_note("itchy"), Step.SIGNS, Step.SIGNS, "done")
    assert step == Step.PHOTO


def test_skipping_the_photo_then_the_note_finishes() -> None:
    _, step = after_press(Answers(), Step.PHOTO, Step.PHOTO, "skip")
    assert step == Step.NOTE
    _, step = after_press(Answers(), Step.NOTE, Step.NOTE, "skip")
    assert step == Step.DONE


def test_a_press_that_fits_no_rule_leaves_the_question_on_screen() -> None:
    answers = Answers().with_level(Symptom.REDNESS, Level.MILD)
    kept, step = after_press(answers, Step.PHOTO, Step.PHOTO, "photo?")
    assert (kept, step) == (answers, Step.PHOTO)

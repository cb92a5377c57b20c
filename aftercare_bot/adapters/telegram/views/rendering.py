"""Turning domain values into what people read: rendered texts, dates in their zone, buttons."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta

from aftercare_bot.adapters.telegram.views.callback_data import ReminderReply
from aftercare_bot.adapters.telegram.views.check_ins import question
from aftercare_bot.config import Config
from aftercare_bot.domain.check_in_answers import Answers
from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.outgoing import Buttons, Outgoing
from aftercare_bot.domain.patients import Patient
from aftercare_bot.domain.plans import PlannedMessage
from aftercare_bot.domain.relay import RELAY_KIND
from aftercare_bot.services.appointments import ReminderAnswer
from aftercare_bot.services.delivery import Delivery
from aftercare_bot.texts import Texts

DATE_TIME_PATTERN = "EEE d MMM y, HH:mm"


class Views:
    """Domain values as people read them: texts (`texts.render`, the one render path), moments
    in the reader's zone, ages, and the dispatcher's composed messages."""

    def __init__(self, texts: Texts, config: Config) -> None:
        self.texts = texts
        self.config = config

    def outgoing(
        self, language: str, key: str, buttons: Buttons = (), **params: object
    ) -> Outgoing:
        """A rendered text ready to send."""
        return Outgoing(self.texts.render(language, key, **params), buttons)

    def when(self, language: str, moment: datetime, zone: ZoneInfo | str) -> str:
        """A moment as a person in `zone` reads it, e.g. "Wed 25 Nov 2026, 19:00"."""
        local = moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)
        return self.texts.format_time(language, local, DATE_TIME_PATTERN)

    def age(self, language: str, elapsed: timedelta) -> str:
        """How long ago, as a person reads it ("3 hours", "2 days"), from CLDR's data."""
        return format_timedelta(elapsed, threshold=1.5, locale=language)

    def language_of(self, patient: Patient) -> str:
        """The language of a patient's messages."""
        return self.texts.language_for(patient.language, fallback=self.config.clinic.language)

    def compose(self, delivery: Delivery) -> Outgoing:
        """A plan message or a staff member's message for one patient (the dispatcher's
        composer)."""
        patient = delivery.patient
        language = self.language_of(patient)
        if delivery.message.kind == RELAY_KIND:
            return self.outgoing(
                language,
                delivery.message.message_key,
                staff=delivery.relay_staff or "",
                text=delivery.relay_text or "",
            )
        appointment = (
            self.when(language, delivery.next_appointment_at, patient.timezone)
            if delivery.next_appointment_at
            else ""
        )
        composed = self.outgoing(
            language,
            delivery.message.message_key,
            self._reminder_buttons(language, delivery),
            name=patient.display_name,
            practitioner=patient.practitioner,
            appointment=appointment,
        )
        if delivery.check_in_id is None:
            return composed
        first = question(
            self.texts,
            language,
            delivery.check_in_id,
            Step.REDNESS,
            Answers(),
            self.config.checkins.max_photo_mb,
        )
        return Outgoing(f"{composed.text}\n\n{first.text}", first.buttons)

    def _reminder_buttons(self, language: str, delivery: Delivery) -> Buttons:
        """Confirm / Need to reschedule / Something has changed, under an appointment reminder."""
        message = delivery.message
        if message.kind != "appointment" or message.id is None:
            return ()

        def button(key: str, answer: ReminderAnswer) -> tuple[str, str]:
            label = self.texts.render(language, key)
            return label, ReminderReply(message.id or 0, answer).data()

        return (
            (
                button("buttons.confirm_appointment", ReminderAnswer.CONFIRM),
                button("buttons.reschedule", ReminderAnswer.RESCHEDULE),
            ),
            (button("buttons.something_changed", ReminderAnswer.CHANGED),),
        )

    def timeline(
        self, language: str, planned: Sequence[PlannedMessage], zone: ZoneInfo, now: datetime
    ) -> str:
        """The dry run staff see before confirming: one line per message, in the patient's zone."""
        lines = []
        for message in planned:
            what = self.texts.render(
                language, f"enroll.kind_{message.kind.value}", step=message.step_key
            )
            if message.due_at is None:
                lines.append(self.texts.render(language, "enroll.timeline_on_link", what=what))
                continue
            when = self.when(language, message.due_at, zone)
            past = message.valid_until is not None and message.valid_until < now
            key = "enroll.timeline_past" if past else "enroll.timeline_item"
            lines.append(self.texts.render(language, key, when=when, what=what))
        return "\n".join(lines)

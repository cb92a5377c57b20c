"""One event of a patient's follow-up as staff read it (a line of /patient, a row of the
console's timeline): rendered from the catalogue, in the reader's language and the clinic's
zone. Front-end neutral: Telegram and the web console both use it."""

from aftercare_bot.adapters.telegram.views.check_ins import answers_summary
from aftercare_bot.adapters.telegram.views.incidents import outcome_label
from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.domain.check_in_answers import stored_answers
from aftercare_bot.domain.patient_summary import EventKind, TimelineEvent
from aftercare_bot.texts import Html


def event_line(views: Views, language: str, event: TimelineEvent) -> str:
    """The event as one line, in `language` (Telegram HTML, every value escaped)."""
    texts, details = views.texts, event.details
    when = views.when(language, event.at, views.config.clinic.timezone)
    if event.kind == EventKind.CHECK_IN:
        answers = stored_answers(details.get("answers"))
        urgency = details.get("urgency") or "nothing"
        return texts.render(
            language,
            "timeline.check_in",
            when=when,
            answers=Html(answers_summary(texts, language, answers)),
            result=texts.render(language, f"timeline.result_{urgency}"),
        )
    if event.kind == EventKind.SESSION:
        product = details.get("product", "")
        return texts.render(
            language,
            "timeline.session",
            when=when,
            number=details["number"],
            who=details["who"],
            product=Html(
                texts.render(language, "timeline.product", product=product) if product else ""
            ),
        )
    if event.kind == EventKind.APPOINTMENT:
        return texts.render(language, f"timeline.appointment_{details['confirmed']}", when=when)
    if event.kind == EventKind.CONSENT:
        return texts.render(language, f"timeline.consent_{details['change']}", when=when)
    if event.kind == EventKind.INCIDENT:
        return texts.render(
            language,
            "timeline.incident",
            when=when,
            urgency=texts.render(language, f"incident.urgency_{details['urgency']}"),
        )
    if event.kind == EventKind.RESOLVED and details.get("outcome"):
        outcome = outcome_label(views, language, details["outcome"])
        return texts.render(language, "timeline.resolved_outcome", when=when, outcome=outcome)
    if event.kind == EventKind.RESOLVED:
        return texts.render(language, "timeline.resolved", when=when)
    return texts.render(language, f"timeline.{event.kind.value}", when=when, **details)

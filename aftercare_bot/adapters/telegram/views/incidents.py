"""How an incident reads in Telegram: one card (summary, state, buttons) for every copy.

Every message that shows an incident (the group post, re-posts, private pages, /incidents
cards) is rendered here from the incident alone, so after any change they all read the same.
Its buttons carry `callback_data.IncidentAction`.
"""

from aftercare_bot.adapters.telegram.views.callback_data import IncidentAction
from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.domain.incidents import Incident, IncidentOutcome, IncidentState
from aftercare_bot.domain.outgoing import Buttons, Outgoing


def staff_language(views: Views) -> str:
    """What the staff group reads: the clinic's language (a staff member's private chat is
    in their own, see notices/incident_notices.py)."""
    return views.config.clinic.language


def card(
    views: Views, incident: Incident, header: str = "", *, language: str | None = None
) -> Outgoing:
    """The incident as it stands: an optional header (a re-page), the clinical summary, who
    acknowledged or resolved it and how, and the buttons its state allows; in `language` (a
    staff member's own, privately), else the clinic's. The summary is kept as it was posted."""
    return Outgoing(
        card_text(views, incident, header, language=language),
        buttons(views, incident, language=language),
    )


def card_text(
    views: Views, incident: Incident, header: str = "", *, language: str | None = None
) -> str:
    """The card's text alone."""
    language = language or staff_language(views)
    zone = views.config.clinic.timezone
    lines = [header] if header else []
    lines.append(incident.post_text or "")
    if incident.patient_left_at is not None:
        lines.append(views.texts.render(language, "incident.left_line"))
    if incident.acknowledged_by_name and incident.acknowledged_at is not None:
        lines.append(
            views.texts.render(
                language,
                "incident.acknowledged_line",
                name=incident.acknowledged_by_name,
                when=views.when(language, incident.acknowledged_at, zone),
            )
        )
    if incident.state == IncidentState.RESOLVED and incident.resolved_at is not None:
        lines.append(
            views.texts.render(
                language,
                "incident.resolved_outcome_line",
                name=incident.resolved_by_name or "",
                when=views.when(language, incident.resolved_at, zone),
                outcome=outcome_label(views, language, incident.outcome),
            )
        )
    return "\n".join(line for line in lines if line)


def outcome_label(views: Views, language: str, outcome: str | None) -> str:
    """The outcome as staff read it ("phoned"); empty for none."""
    if outcome is None or outcome not in set(IncidentOutcome):
        return ""
    return views.texts.render(language, f"outcome.{IncidentOutcome(outcome).name.lower()}")


def buttons(views: Views, incident: Incident, *, language: str | None = None) -> Buttons:
    """Acknowledge while open; Resolved and Message patient until resolved; none after."""
    assert incident.id is not None
    texts, language = views.texts, language or staff_language(views)
    row: list[tuple[str, str]] = []
    if incident.state == IncidentState.OPEN:
        row.append(
            (
                texts.render(language, "buttons.acknowledge"),
                IncidentAction(incident.id, IncidentAction.ACKNOWLEDGE).data(),
            )
        )
    if incident.state != IncidentState.RESOLVED:
        row.append(
            (
                texts.render(language, "buttons.resolved"),
                IncidentAction(incident.id, IncidentAction.RESOLVE).data(),
            )
        )
        if incident.patient_left_at is None:
            row.append(
                (
                    texts.render(language, "buttons.message_patient"),
                    IncidentAction(incident.id, IncidentAction.MESSAGE).data(),
                )
            )
    return (tuple(row),) if row else ()


def outcome_buttons(views: Views, incident_id: int, language: str) -> Buttons:
    """What was done, asked when Resolved is pressed; Back returns to the card's buttons."""
    choices = [
        (
            outcome_label(views, language, outcome.value).capitalize(),
            IncidentAction(incident_id, IncidentAction.RESOLVE, outcome).data(),
        )
        for outcome in IncidentOutcome
    ]
    choices.append(
        (
            views.texts.render(language, "buttons.back"),
            IncidentAction(incident_id, IncidentAction.BACK).data(),
        )
    )
    return tuple(tuple(choices[i : i + 2]) for i in range(0, len(choices), 2))


def already_text(views: Views, language: str, incident: Incident) -> str:
    """Someone got there first: who, and when."""
    zone = views.config.clinic.timezone
    if incident.state == IncidentState.RESOLVED and incident.resolved_at is not None:
        return views.texts.render(
            language,
            "incident.already_resolved",
            name=incident.resolved_by_name or "",
            when=views.when(language, incident.resolved_at, zone),
        )
    if incident.acknowledged_at is not None:
        return views.texts.render(
            language,
            "incident.already_acknowledged",
            name=incident.acknowledged_by_name or "",
            when=views.when(language, incident.acknowledged_at, zone),
        )
    return views.texts.render(language, "incident.already")

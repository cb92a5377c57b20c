"""How /mydata reads: everything stored about the patient, in their language.

The export (`PatientRecords.export`) is plain data; here its messages get titles a patient
understands ("aftercare instructions", not a plan's step key), for the readable message and the
JSON file alike, and the readable message is split into pages Telegram accepts.
"""

from datetime import datetime
from typing import Any

from aftercare_bot.adapters.telegram.views.check_ins import answers_summary
from aftercare_bot.adapters.telegram.views.rendering import Views
from aftercare_bot.domain.check_in_answers import Answers
from aftercare_bot.domain.incidents import IncidentOutcome, IncidentState
from aftercare_bot.domain.pages import paginate
from aftercare_bot.texts import Html


def message_title(views: Views, language: str, message_key: str, kind: str) -> str:
    """A message's title: its own when the catalogue has one (`mydata.title_plan_aftercare`
    for `plan.aftercare`), else its kind's (a clinic's own plan texts)."""
    keys = views.texts.keys()
    own = f"mydata.title_{message_key.replace('.', '_')}"
    if own in keys:
        return views.texts.render(language, own)
    by_kind = f"mydata.kind_{kind}"
    return views.texts.render(language, by_kind if by_kind in keys else "mydata.kind_info")


def patient_copy(views: Views, language: str, data: dict[str, Any]) -> dict[str, Any]:
    """The export as the patient gets it: each message named by its title."""
    messages = [
        {
            "title": message_title(views, language, m["message_key"], m["kind"]),
            "state": m["state"],
            "due_at": m["due_at"],
            "sent_at": m["sent_at"],
        }
        for m in data["messages"]
    ]
    return {**data, "messages": messages}


def readable_pages(views: Views, language: str, zone: str, data: dict[str, Any]) -> list[str]:
    """The patient's copy (`patient_copy`) as messages: who they are, then each section."""
    lines = _Lines(views, language, zone)
    sections: list[tuple[str, list[str]]] = [
        ("lifecycle.mydata_sessions", [lines.session(s) for s in data["sessions"]]),
        ("lifecycle.mydata_messages", [lines.message(m) for m in data["messages"]]),
        ("lifecycle.mydata_check_ins", [lines.check_in(c) for c in data["check_ins"]]),
        ("mydata.incidents", [lines.incident(i) for i in data["incidents"]]),
        ("lifecycle.mydata_consents", [lines.consent(c) for c in data["consent"]]),
        ("mydata.words", [lines.word(m) for m in data["messages_from_you"]]),
    ]
    none = views.texts.render(language, "lifecycle.mydata_none")
    text = [views.texts.render(language, "lifecycle.mydata_intro"), lines.person(data["patient"])]
    for title, rows in sections:
        text += [views.texts.render(language, title), *(rows or [none])]
    return ["\n".join(page) for page in paginate(text)]


class _Lines:
    """One line of /mydata per stored row, in the patient's language and time zone."""

    def __init__(self, views: Views, language: str, zone: str) -> None:
        self._views, self._texts = views, views.texts
        self._language, self._zone = language, zone

    def _render(self, key: str, **params: object) -> str:
        return self._texts.render(self._language, key, **params)

    def _when(self, value: str | None) -> str:
        if not value:
            return ""
        return self._views.when(self._language, datetime.fromisoformat(value), self._zone)

    def person(self, person: dict[str, Any]) -> str:
        """Who they are: name, code, enrollment, language, zone and status."""
        return self._render(
            "lifecycle.mydata_enrollment",
            name=person["display_name"],
            code=person["code"],
            enrolled=self._when(person["enrolled_at"]),
            practitioner=person["practitioner"],
            patient_language=person["language"] or "",
            zone=person["timezone"],
            status=self._render(f"values.status_{person['status']}"),
        )

    def session(self, session: dict[str, Any]) -> str:
        """A session, with its product and batch when recorded."""
        product = session["product"]
        return self._render(
            "lifecycle.mydata_session",
            number=session["number"],
            when=self._when(session["held_at"]),
            product=f", {product} {session['batch'] or ''}".rstrip() if product else "",
        )

    def message(self, message: dict[str, Any]) -> str:
        """A message by its title, with what became of it."""
        return self._render(
            "lifecycle.mydata_message",
            when=self._when(message["sent_at"] or message["due_at"]),
            step=message["title"],
            state=self._render(f"values.state_{message['state']}"),
        )

    def check_in(self, check_in: dict[str, Any]) -> str:
        """A check-in with every answer given (whether a photo was sent, never the photo)."""
        answers = Answers.from_json(check_in["answers"])
        given = answers.levels or answers.signs or answers.note or answers.has_photo
        summary = answers_summary(self._texts, self._language, answers)
        unfinished = check_in["left_unfinished_at"] is not None
        return self._render(
            "lifecycle.mydata_check_in",
            when=self._when(check_in["opened_at"]),
            state=self._render(f"values.check_in_{check_in['state']}"),
            unfinished=Html(self._render("mydata.unfinished") if unfinished else ""),
            answers=Html(self._render("mydata.answers", answers=Html(summary)) if given else ""),
        )

    def incident(self, incident: dict[str, Any]) -> str:
        """A report: how urgent, when the clinic saw it, and when and how it was closed."""
        outcome = incident["outcome"]
        done = (
            self._render(
                "mydata.outcome",
                outcome=self._render(f"mydata.outcome_{IncidentOutcome(outcome).value}"),
            )
            if outcome in set(IncidentOutcome)
            else ""
        )
        seen = incident["acknowledged_at"]
        state = IncidentState(incident["state"])
        return self._render(
            "mydata.incident",
            when=self._when(incident["opened_at"]),
            urgency=self._render(f"mydata.urgency_{incident['urgency']}"),
            seen=Html(self._render("mydata.seen", when=self._when(seen)) if seen else ""),
            state=Html(
                self._render(
                    f"mydata.state_{state.value}",
                    when=self._when(incident["resolved_at"]),
                    outcome=Html(done),
                )
            ),
        )

    def consent(self, consent: dict[str, Any]) -> str:
        """A consent given, declined, stopped or resumed."""
        return self._render(
            "lifecycle.mydata_consent",
            when=self._when(consent["occurred_at"]),
            change=self._render(f"values.change_{consent['change']}"),
        )

    def word(self, message: dict[str, Any]) -> str:
        """Something the patient wrote to the clinic."""
        return self._render(
            "mydata.word", when=self._when(message["received_at"]), text=message["text"]
        )

"""Fakes of the ports through which escalation reaches people: what staff and patients would
have been shown, recorded for a test to look at."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from aftercare_bot.domain.incidents import Incident
from aftercare_bot.domain.patients import Patient


@dataclass
class FakeStaff:
    """Records what staff would have seen; `reachable` False plays a group and admins gone."""

    reachable: bool = True
    posted: list[int] = field(default_factory=list)
    pages: list[tuple[int, tuple[int, ...], int]] = field(default_factory=list)
    refreshed: list[tuple[int, str]] = field(default_factory=list)
    threads: list[tuple[int, str]] = field(default_factory=list)
    reminders: list[int] = field(default_factory=list)

    async def post(self, incident: Incident) -> bool:
        assert incident.id is not None
        self.posted.append(incident.id)
        return self.reachable

    async def page(self, incident: Incident, chat_ids: Sequence[int], round_number: int) -> None:
        assert incident.id is not None
        self.pages.append((incident.id, tuple(chat_ids), round_number))

    async def remind_owner(self, incident: Incident) -> None:
        assert incident.id is not None
        self.reminders.append(incident.id)

    async def refresh(self, incident: Incident) -> None:
        assert incident.id is not None
        self.refreshed.append((incident.id, incident.state.value))

    async def reply_under(self, incident: Incident, text: str) -> None:
        assert incident.id is not None
        self.threads.append((incident.id, text))


@dataclass
class FakePatients:
    """Records what patients would have been told."""

    seen: list[tuple[str, str]] = field(default_factory=list)
    safety_nets: list[str] = field(default_factory=list)

    async def seen_by(self, patient: Patient, staff_name: str) -> None:
        self.seen.append((patient.code, staff_name))

    async def safety_net(self, patient: Patient) -> None:
        self.safety_nets.append(patient.code)

from datetime import UTC, datetime, timedelta

from aftercare_bot.domain.incidents import Incident, IncidentState, IncidentUrgency

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def urgent() -> Incident:
    return Incident(patient_id=1, urgency=IncidentUrgency.URGENT, opened_at=NOW)


def test_acknowledging_records_who_and_when_once() -> None:
    incident = urgent()
    assert incident.acknowledge(7, "Nina", NOW)
    assert (incident.state, incident.acknowledged_by_name) == (IncidentState.ACKNOWLEDGED, "Nina")
    assert not incident.acknowledge(8, "Grey", NOW)
    assert incident.acknowledged_by == 7


def test_a_new_urgent_finding_reopens_an_acknowledged_incident() -> None:
    incident = urgent()
    incident.acknowledge(7, "Nina", NOW)
    assert incident.join(IncidentUrgency.URGENT, NOW + timedelta(hours=1))
    assert (incident.state, incident.acknowledged_by, incident.reports) == (
        IncidentState.OPEN,
        None,
        2,
    )


def test_a_routine_report_joins_without_paging_again() -> None:
    incident = urgent()
    incident.acknowledge(7, "Nina", NOW)
    assert not incident.join(IncidentUrgency.ROUTINE, NOW)
    assert incident.state == IncidentState.ACKNOWLEDGED


def test_an_urgent_report_makes_a_routine_incident_urgent() -> None:
    incident = Incident(patient_id=1, urgency=IncidentUrgency.ROUTINE, opened_at=NOW)
    assert incident.join(IncidentUrgency.URGENT, NOW)
    assert incident.urgency == IncidentUrgency.URGENT


def test_a_resolved_incident_is_closed_and_cannot_be_acknowledged() -> None:
    incident = urgent()
    assert incident.resolve(7, NOW)
    assert not incident.is_open
    assert not incident.acknowledge(7, "Nina", NOW)
    assert not incident.resolve(7, NOW)

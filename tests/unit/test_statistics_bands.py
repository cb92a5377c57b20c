"""Incidents by time to acknowledge: each counted once, in the first band it fits, the ones
still waiting apart."""

from datetime import UTC, datetime, timedelta

from aftercare_bot.domain.statistics import IncidentRecord, acknowledge_bands, summarise

OPENED = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def acknowledged_after(minutes: float | None) -> IncidentRecord:
    at = None if minutes is None else OPENED + timedelta(minutes=minutes)
    return IncidentRecord(OPENED, at, "urgent")


def test_each_incident_falls_in_the_first_band_it_fits() -> None:
    incidents = [
        acknowledged_after(minutes)
        for minutes in (0, 5, 5.5, 15, 29, 60, 61, 240, 241, 3000, None, None)
    ]
    assert acknowledge_bands(incidents) == (2, 2, 1, 1, 2, 2, 2)
    assert sum(acknowledge_bands(incidents)) == len(incidents)


def test_the_statistics_carry_the_bands_and_none_without_incidents() -> None:
    assert summarise([], [acknowledged_after(3)]).acknowledge_bands == (1, 0, 0, 0, 0, 0, 0)
    assert not any(summarise([], []).acknowledge_bands)

"""A patient types her city the way she writes it; the zone is found without her knowing how
the zone database spells it."""

import pytest

from aftercare_bot.domain.time_zones import find_zone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("europe/paris", "Europe/Paris"),
        ("paris", "Europe/Paris"),
        ("New York", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("sao-paulo", "America/Sao_Paulo"),
        ("İstanbul", "Asia/Istanbul"),
        ("Estambul", "Europe/Istanbul"),
        ("Москва", "Europe/Moscow"),
        ("Київ", "Europe/Kyiv"),
        ("Roma", "Europe/Rome"),
        ("Londra", "Europe/London"),
        ("Ciudad de México", "America/Mexico_City"),
    ],
)
def test_a_city_or_zone_as_people_write_it_is_found(typed: str, zone: str) -> None:
    found = find_zone(typed)
    assert found is not None and found.key == zone


@pytest.mark.parametrize("typed", ["", "   ", "Atlantis", "Etc/Nowhere", "../../etc/passwd"])
def test_anything_else_is_no_zone(typed: str) -> None:
    assert find_zone(typed) is None

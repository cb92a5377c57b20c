"""The clinic settings page over HTTP: admins only; a form saved all or nothing with each
mistake named on its field; what is saved is audited, queued for the staff group and taken by
this instance at once."""

import html
import re

from aftercare_bot.adapters.live_config import LiveConfig
from aftercare_bot.services.clinic_settings import changes_to_post, stored_settings
from tests.web.conftest import NINA, Console


def form_values(page: str) -> dict[str, str | list[str]]:
    """What the browser would post back: every text field and checked box as shown."""
    values: dict[str, str | list[str]] = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input name="([^"]+)" id="[^"]+" maxlength="\d+" value="([^"]*)"', page
        )
    }
    values["languages"] = re.findall(
        r'name="languages" value="([a-z]+)" checked(?! disabled)', page
    )
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    values["csrf"] = csrf[1]
    return values


def as_form(values: dict[str, str | list[str]]) -> list[tuple[str, str]]:
    return [
        (name, item)
        for name, value in values.items()
        for item in (value if isinstance(value, list) else [value])
    ]


async def test_a_staff_member_who_is_not_an_admin_is_refused_the_settings(
    console: Console,
) -> None:
    await console.staff_member()
    await console.signed_in(NINA, "Nina")
    assert (await console.client.get("/console/settings")).status == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', await console.page("/console/incidents"))
    assert csrf is not None
    refused = await console.client.post(
        "/console/settings", data={"csrf": csrf[1], "clinic.phone": "+1 555 0100"}
    )
    assert refused.status == 403
    assert "clinic.phone" not in await stored_settings(console.database)
    assert 'href="/console/settings"' not in await console.page("/console/incidents")


async def test_an_out_of_bounds_setting_is_refused_on_its_field_and_nothing_is_stored(
    console: Console,
) -> None:
    await console.signed_in()
    values = form_values(await console.page("/console/settings"))
    assert values["escalation.reescalate_after"] == "15m"
    values["escalation.reescalate_after"] = "2h"
    values["escalation.patient_safety_net_after"] = "3h"
    values["clinic.phone"] = "+44 20 7946 1111"
    response = await console.client.post("/console/settings", data=as_form(values))
    page = await response.text()
    assert response.status == 400
    assert "Nothing was saved" in page
    marked = dict(re.findall(r'data-field="([^"]+)">([^<]+)<', page))
    assert marked == {
        "escalation.reescalate_after": "Choose a value from 1m to 1h.",
        "escalation.patient_safety_net_after": "Choose a value from 1m to 2h.",
    }
    assert 'value="2h"' in page  # what was typed stays in the form to correct
    assert await stored_settings(console.database) == {}
    assert console.deps.config.clinic.phone == "+44 20 7946 0000"


async def test_an_admin_changes_the_hours_and_this_instance_uses_them_at_once(
    console: Console,
) -> None:
    await console.signed_in()
    values = form_values(await console.page("/console/settings"))
    values["clinic.hours"] = "Mon-Sat 08:00-20:00"
    values["languages"] = ["es"]  # English unticked; the clinic's own stays offered
    response = await console.client.post("/console/settings", data=as_form(values))
    page = await response.text()
    assert response.status == 200, page
    assert "Saved." in page
    assert "Changed by Grey" in page
    config = console.deps.config
    assert config.clinic.hours.text == "Mon-Sat 08:00-20:00"
    assert config.clinic.offered_languages == ["en", "es"]
    assert console.deps.texts.languages == ("en", "es")
    assert console.wakes.count >= 1  # the active instance is woken to post the change
    queued = [(c.setting, c.new_value) for c in await changes_to_post(console.database)]
    assert queued == [("clinic.hours", "Mon-Sat 08:00-20:00"), ("clinic.languages", "en, es")]
    audit = await console.page("/console/audit")
    assert "settings.changed" in audit and "Mon-Sat 08:00-20:00" in audit
    # another instance's config, read from the same database at its tick
    other = LiveConfig(console.config, console.deps.texts)
    await other.refresh(console.database)
    assert other.config.clinic.hours.text == "Mon-Sat 08:00-20:00"


async def test_a_form_with_nothing_changed_stores_nothing(console: Console) -> None:
    await console.signed_in()
    values = form_values(await console.page("/console/settings"))
    page = await (await console.client.post("/console/settings", data=as_form(values))).text()
    assert "Nothing was changed." in page
    assert await changes_to_post(console.database) == []


async def test_odd_settings_posts_get_short_answers(console: Console) -> None:
    await console.signed_in()
    values = form_values(await console.page("/console/settings"))
    no_csrf = {k: v for k, v in values.items() if k != "csrf"}
    assert (await console.client.post("/console/settings", data=as_form(no_csrf))).status == 403
    values["clinic.emergency_number"] = "\x00" * 500
    values["staff.digest_at"] = "nine o'clock"
    values["languages"] = ["xx", "../../etc"]
    response = await console.client.post("/console/settings", data=as_form(values))
    page = await response.text()
    assert response.status == 400
    marked = dict(re.findall(r'data-field="([^"]+)">([^<]+)<', page))
    assert set(marked) == {"clinic.emergency_number", "staff.digest_at", "clinic.languages"}
    assert await stored_settings(console.database) == {}

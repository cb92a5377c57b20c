"""The plans pages over HTTP (admins): a step without its sentence in every offered language
is refused on its field and nothing is saved; the preview shows the dated messages of a
sample session; a save makes the next version, enrollment takes it, and "move" re-plans the
patients on the older one once; odd posts get short answers."""

import html
import re
from typing import Any

from aftercare_bot.services.plan_versions import import_plans, stored_versions
from tests.services.test_plan_versions import NAME, SHIPPED
from tests.web.conftest import NINA, Console


async def imported(console: Console) -> None:
    """What start-up does: the shipped plan stored as version 1 and read by this instance."""
    await import_plans(console.database, console.clock, SHIPPED)
    await console.deps.live.refresh(console.database)


def form_of(page: str) -> list[tuple[str, str]]:
    """What the browser posts back: every field as the page shows it."""
    fields: list[tuple[str, str]] = []
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        fields.append((name, html.unescape(value)))
    for name, value in re.findall(r'<input name="([^"]+)" value="([^"]*)"', page):
        fields.append((name, html.unescape(value)))
    for name, options in re.findall(r'<select name="([^"]+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options) or re.search(
            r'<option value="([^"]*)"', options
        )
        assert chosen is not None
        fields.append((name, chosen[1]))
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields.append((name, html.unescape(value)))
    for name in re.findall(r'<input type="checkbox" name="([^"]+)" value="yes" checked', page):
        fields.append((name, "yes"))
    return fields


def changed(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The fields with some changed; `step_1_at` stands for the field `step-1-at`."""
    wanted = {name.replace("_", "-", 2): value for name, value in values.items()}
    return [(name, wanted.get(name, value)) for name, value in fields]


async def editor(console: Console) -> list[tuple[str, str]]:
    return form_of(await console.page(f"/console/plans/{NAME}"))


async def test_a_step_missing_a_language_is_refused_on_its_field(console: Console) -> None:
    await imported(console)
    await console.signed_in()
    fields = changed(await editor(console), **{"step_1_text-ru": "  "})
    response = await console.client.post(f"/console/plans/{NAME}/save", data=fields)
    page = await response.text()
    assert response.status == 400, page
    assert "Nothing was saved" in page
    marked = dict(re.findall(r'data-field="([^"]+)">([^<]+)<', page))
    assert marked == {
        "step-1-text-ru": "Write the message in this language too: every offered language needs it."
    }
    assert [v.key for v in await stored_versions(console.database)] == [NAME]


async def test_the_preview_shows_the_dated_messages_with_the_changed_sentence(
    console: Console,
) -> None:
    await imported(console)
    await console.signed_in()
    fields = changed(
        await editor(console),
        **{"step_1_at": "20:30", "step_1_text-en": "Rest tonight, {name}. <b>No hair wash</b>."},
    )
    response = await console.client.post(
        f"/console/plans/{NAME}/preview", data=[*fields, ("zone", "Europe/London")]
    )
    page = await response.text()
    assert response.status == 200, page
    items = re.findall(r"<li[^>]*><strong>([^<]+)</strong> · ([^<]+)<br>([^<]*)</li>", page)
    evening = [item for item in items if "evening" in item[1]]
    assert evening and evening[0][0].endswith("20:30")
    assert evening[0][2] == "Rest tonight, Anna. No hair wash."
    assert any("checkin-day1" in item[1] for item in items)
    assert [v.key for v in await stored_versions(console.database)] == [NAME]  # nothing saved


async def test_a_saved_version_is_enrolled_on_and_move_replans_the_older_patients_once(
    console: Console,
) -> None:
    await imported(console)
    earlier = await console.linked_patient("Anna")  # on version 1, linked: her rows planned
    await console.signed_in()
    fields = changed(await editor(console), **{"step_1_at": "20:30"})
    saved = await console.client.post(f"/console/plans/{NAME}/save", data=fields)
    text = await saved.text()
    assert saved.status == 200, text
    assert f"Saved: {NAME}, version 2." in text
    assert console.deps.plans.current(NAME).name == f"{NAME}@2"  # type: ignore[union-attr]
    assert "Move the patients on older versions to version 2 (1)" in html.unescape(text)
    csrf = dict(fields)["csrf"]
    moved = await console.client.post(f"/console/plans/{NAME}/move", data={"csrf": csrf})
    moved_text = html.unescape(await moved.text())
    assert "1 patients moved to the newest version" in moved_text
    assert "of 1 of them were planned again" in moved_text
    again = await console.client.post(f"/console/plans/{NAME}/move", data={"csrf": csrf})
    assert "0 patients moved" in html.unescape(await again.text())
    async with console.database.unit_of_work() as uow:
        rows: Any = await uow.outbox.for_patient(earlier.id or 0)
    evenings = [row for row in rows if row.unique_key.endswith(":evening")]
    assert len(evenings) == 1 and evenings[0].due_at.strftime("%H:%M") == "20:30"


async def test_plans_are_admins_and_odd_posts_get_short_answers(console: Console) -> None:
    await imported(console)
    await console.staff_member()
    await console.signed_in(NINA, "Nina")
    assert (await console.client.get("/console/plans")).status == 403
    await console.signed_in()
    fields = await editor(console)
    csrf = dict(fields)["csrf"]
    assert (await console.client.get("/console/plans/no-such-plan")).status == 404
    assert (await console.client.get("/console/plans/BAD..")).status == 404
    for data in (
        {"csrf": csrf, "steps": "99999", "after": "x", "sessions": "\x00"},
        {"csrf": csrf},
    ):
        response = await console.client.post(f"/console/plans/{NAME}/save", data=data)
        assert response.status == 400
    dup = await console.client.post(
        f"/console/plans/{NAME}/duplicate", data={"csrf": csrf, "new_name": NAME}
    )
    assert dup.status == 400
    made = await console.client.post(
        f"/console/plans/{NAME}/duplicate", data={"csrf": csrf, "new_name": "scalp-short"}
    )
    assert made.status == 200 and "scalp-short" in await made.text()
    assert [v.key for v in await stored_versions(console.database)] == [NAME, "scalp-short"]
    assert (await console.client.get("/console/plans/scalp-short")).status == 200

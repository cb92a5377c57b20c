"""The lists page over HTTP (admins): near-duplicate practitioners merged from the page, the
merge counted once however often it is pressed; entries withdrawn from enrollment; the enroll
form offering the lists; odd posts answered short."""

import re

from aftercare_bot.services.clinic_lists import ClinicLists
from tests.web.conftest import ADMIN, NINA, Console


async def csrf_of(console: Console, path: str = "/console/lists") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', await console.page(path))
    assert found is not None
    return found[1]


async def test_near_duplicate_practitioners_are_merged_from_the_page(console: Console) -> None:
    await console.patient("Anna", practitioner="Dr Petrova")
    await console.patient("Vera", practitioner="Anna Petrova")
    await console.patient("Lena", practitioner="Anna Petrova")
    await console.signed_in()
    page = await console.page("/console/lists")
    assert "Probably the same" in page
    button = re.search(
        r'name="merged" value="(\d+)">\s*<input type="hidden" name="into" value="(\d+)">\s*'
        r"<button[^>]*>Merge Anna Petrova into Dr Petrova<",
        page,
    )
    assert button is not None, page
    form = {"csrf": await csrf_of(console), "merged": button[1], "into": button[2]}
    merged = await console.client.post("/console/lists/practitioner/merge", data=form)
    text = await merged.text()
    assert merged.status == 200, text
    assert "Merged: Anna Petrova → Dr Petrova. Sessions moved: 2." in text
    assert "Probably the same" not in text
    again = await console.client.post("/console/lists/practitioner/merge", data=form)
    assert again.status == 400
    assert "no longer listed" in await again.text()
    rows = re.findall(
        r"<tr>\s*<td>([^<]+)</td><td>(\d+)</td>", await console.page("/console/lists")
    )
    assert rows == [("Dr Petrova", "3")]
    patients = await console.page("/console/patients")
    assert "Anna Petrova" not in patients
    audit = await console.page("/console/audit")
    assert "lists.practitioners_merged" in audit


async def test_a_withdrawn_practitioner_is_no_longer_offered_on_the_enroll_form(
    console: Console,
) -> None:
    lists = ClinicLists(console.database, console.clock)
    await lists.add_practitioner(ADMIN, "Dr Lee")
    await lists.add_practitioner(ADMIN, "Dr Petrova")
    await lists.add_batch(ADMIN, "Dermaheal HSR", "LOT-42", None)
    await console.signed_in()
    form = await console.page("/console/enroll")
    assert '<option value="Dr Lee">' in form and '<option value="LOT-42">' in form
    overview = await lists.overview()
    lee_id = next(entry.id for entry, _uses in overview.practitioners if entry.name == "Dr Lee")
    withdrawn = await console.client.post(
        f"/console/lists/practitioner/{lee_id}/offer",
        data={"csrf": await csrf_of(console), "offer": "no"},
    )
    assert withdrawn.status == 200
    form = await console.page("/console/enroll")
    assert '<option value="Dr Lee">' not in form
    assert '<option value="Dr Petrova">' in form


async def test_a_staff_member_is_refused_the_lists_and_odd_posts_get_short_answers(
    console: Console,
) -> None:
    await console.staff_member()
    await console.signed_in(NINA, "Nina")
    assert (await console.client.get("/console/lists")).status == 403
    await console.signed_in()
    csrf = await csrf_of(console)
    for path, data in [
        ("/console/lists/practitioner/merge", {"merged": "1", "into": "x"}),
        ("/console/lists/practitioner/merge", {"merged": "9" * 30, "into": "1"}),
        ("/console/lists/practitioners", {"name": "   \x00 "}),
        ("/console/lists/products", {"product": "Dermaheal", "expires_on": "31/12/2026"}),
    ]:
        response = await console.client.post(path, data={"csrf": csrf, **data})
        assert response.status == 400, (path, data)
    for path in ("/console/lists/patient/1/offer", "/console/lists/batch/12345/offer"):
        response = await console.client.post(path, data={"csrf": csrf, "offer": "no"})
        assert response.status == 404, path
    assert (await ClinicLists(console.database, console.clock).overview()).products == ()

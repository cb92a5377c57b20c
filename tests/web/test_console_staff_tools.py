"""The console's other staff tools over HTTP: Message patient (write, check, Send once), the
staff page (admins invite and remove; everyone can go on call) and the export (admins)."""

import re

from aftercare_bot.domain.relay import RELAY_KIND
from tests.web.conftest import ADMIN, NINA, NOW, Console
from tests.web.test_console_enroll import enroll_page


async def csrf_of(console: Console) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', await console.page("/console/incidents"))
    assert found is not None
    return found[1]


async def test_a_message_is_checked_then_sent_once_through_the_outbox(console: Console) -> None:
    anna = await console.linked_patient("Anna")
    incident_id = await console.incident(anna)
    await console.signed_in()
    form = await console.page(f"/console/incidents/{incident_id}/message")
    assert f"A message to Anna ({anna.code})" in form
    csrf = await csrf_of(console)
    response = await console.client.post(
        f"/console/incidents/{incident_id}/message",
        data={"csrf": csrf, "text": "Please call us <today>."},
    )
    check = await response.text()
    assert f"Send this to Anna ({anna.code})?" in check
    assert "Please call us &lt;today&gt;." in check  # shown exactly, escaped
    draft_id = re.search(r"/console/relay/(\d+)/send", check)
    assert draft_id is not None
    async with console.database.unit_of_work() as uow:
        assert not [m for m in await uow.outbox.for_patient(anna.id or 0) if m.kind == RELAY_KIND]
    sent = await console.client.post(f"/console/relay/{draft_id[1]}/send", data={"csrf": csrf})
    assert "Sent to Anna" in await sent.text()
    again = await console.client.post(f"/console/relay/{draft_id[1]}/send", data={"csrf": csrf})
    assert again.status == 409 and "Already sent" in await again.text()
    async with console.database.unit_of_work() as uow:
        relayed = [m for m in await uow.outbox.for_patient(anna.id or 0) if m.kind == RELAY_KIND]
    assert len(relayed) == 1


async def test_a_patient_who_cannot_be_written_to_is_refused_with_the_reason(
    console: Console,
) -> None:
    anna = await console.patient("Anna")  # enrolled, never linked
    incident_id = await console.incident(anna)
    await console.signed_in()
    response = await console.client.post(
        f"/console/incidents/{incident_id}/message",
        data={"csrf": await csrf_of(console), "text": "Hello"},
    )
    assert response.status == 409
    assert "no longer followed up through the bot" in await response.text()


async def test_admins_invite_and_remove_staff_and_a_member_cannot(console: Console) -> None:
    await enroll_page(console)  # the bot's username is known; signed in as the admin
    await console.staff_member(NINA, "Nina")
    page = await console.page("/console/staff")
    assert "Nina" in page and "admin (from the config)" in page
    csrf = await csrf_of(console)
    invited = await (await console.client.post("/console/staff/invite", data={"csrf": csrf})).text()
    assert re.search(r"https://t\.me/aftercare_test_bot\?start=[\w-]+", invited)
    removed = await console.client.post(f"/console/staff/{NINA}/remove", data={"csrf": csrf})
    assert "Nina is no longer staff" in await removed.text()
    await console.staff_member(778, "Olga")
    await console.signed_in(778, "Olga")
    olga_csrf = await csrf_of(console)
    refused = await console.client.post("/console/staff/invite", data={"csrf": olga_csrf})
    assert refused.status == 403
    refused = await console.client.post(f"/console/staff/{ADMIN}/remove", data={"csrf": olga_csrf})
    assert refused.status == 403
    on_call = await console.client.post("/console/staff/on-call", data={"csrf": olga_csrf})
    assert "You are on call" in await on_call.text()
    assert await console.deps.incidents.on_call() == 778


async def test_the_export_is_a_csv_for_admins_and_audited(console: Console) -> None:
    await console.staff_member()
    await console.signed_in(NINA, "Nina")
    assert (await console.client.get("/console/export")).status == 403
    await console.signed_in()
    response = await console.client.post(
        "/console/export", data={"csrf": await csrf_of(console), "days": "30"}
    )
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    header = (await response.text()).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("record,patient,practitioner")
    async with console.database.unit_of_work() as uow:
        events = await uow.audit.since(NOW)
    assert ("export.sent", ADMIN) in [(e.action, e.actor_telegram_id) for e in events]


async def test_an_admin_changes_a_members_role_and_their_sessions_end_at_once(
    console: Console,
) -> None:
    await console.staff_member(NINA, "Nina")
    await console.signed_in(NINA, "Nina")
    assert (await console.client.get("/console/audit")).status == 403
    nina_cookies = console.client.session.cookie_jar.filter_cookies(console.client.make_url("/"))
    await console.signed_in()  # the admin, in the same browser: Nina's cookie is kept aside
    csrf = await csrf_of(console)
    changed = await console.client.post(
        f"/console/staff/{NINA}/role", data={"csrf": csrf, "role": "admin"}
    )
    assert "Nina's role is changed" in (await changed.text()).replace("&#39;", "'")
    jar = console.client.session.cookie_jar
    jar.clear()
    jar.update_cookies(nina_cookies, response_url=console.client.make_url("/"))
    assert (await console.client.get("/console/incidents")).status == 401  # her session ended
    await console.signed_in(NINA, "Nina")
    assert (await console.client.get("/console/audit")).status == 200  # now an admin
    async with console.database.unit_of_work() as uow:
        events = await uow.audit.since(NOW)
    assert ("staff.role_changed", ADMIN, str(NINA), "admin") in [
        (e.action, e.actor_telegram_id, e.subject, e.detail) for e in events
    ]


async def test_a_member_cannot_change_roles_and_the_configs_admins_are_not_offered(
    console: Console,
) -> None:
    await console.staff_member(NINA, "Nina")
    await console.signed_in(NINA, "Nina")
    refused = await console.client.post(
        f"/console/staff/{ADMIN}/role", data={"csrf": await csrf_of(console), "role": "staff"}
    )
    assert refused.status == 403
    await console.signed_in()
    page = await console.page("/console/staff")
    assert f"/console/staff/{ADMIN}/role" not in page and f"/console/staff/{NINA}/role" in page

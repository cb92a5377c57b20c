"""The staff console over HTTP, as a browser meets it (no browser here: `make test` needs only
Python): signing in by link and by Mini App launch, every refusal, CSRF, roles, headers, the
audit trail, and that nothing about a patient reaches an address or a log line."""

import logging
import re
from datetime import timedelta

import pytest

from aftercare_bot import logs
from aftercare_bot.domain.incidents import IncidentState
from aftercare_bot.domain.outbox import INCIDENT_REFRESH, INCIDENT_SEEN
from aftercare_bot.services.staff import remove_staff
from tests.web.conftest import ADMIN, NINA, NOW, STRANGER, Console

# --- signing in


async def test_a_link_shows_a_button_and_signs_in_once_when_pressed(console: Console) -> None:
    secret = await console.link()
    form = await console.client.get(f"/console/sign-in/{secret}")
    assert form.status == 200
    assert "Sign in to the staff console" in await form.text()
    again = await console.client.get(f"/console/sign-in/{secret}")  # a preview fetch spends nothing
    assert again.status == 200
    response = await console.client.post(
        "/console/sign-in", data={"secret": secret}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"] == "/console/incidents"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1 here
    assert "Signed in as Grey" in await console.page("/console/incidents")
    reused = await console.client.post("/console/sign-in", data={"secret": secret})
    assert reused.status == 403
    assert "expired or has already been used" in await reused.text()


async def test_a_link_older_than_five_minutes_is_refused(console: Console) -> None:
    secret = await console.link()
    console.clock.advance(timedelta(minutes=5))
    response = await console.client.post("/console/sign-in", data={"secret": secret})
    assert response.status == 403
    assert "Send /console to the bot for a new one" in await response.text()
    assert (await console.client.get("/console/incidents")).status == 401


async def test_a_made_up_secret_and_no_secret_are_refused(console: Console) -> None:
    assert (await console.client.post("/console/sign-in", data={"secret": "x" * 43})).status == 403
    assert (await console.client.post("/console/sign-in", data={})).status == 403


async def test_nobody_signed_in_is_shown_how_to_sign_in(console: Console) -> None:
    for path in ("/console", "/console/incidents", "/console/patients", "/console/audit"):
        response = await console.client.get(path, allow_redirects=False)
        assert response.status == 401, path
        assert "send /console to the bot in a private chat" in await response.text()


async def test_someone_who_is_not_staff_gets_no_link_and_no_session(console: Console) -> None:
    assert await console.deps.access.issue_sign_in(STRANGER, "Eve") is None
    response = await console.client.post(
        "/console/app/launch", data={"init_data": console.launch_data(STRANGER)}
    )
    assert response.status == 403
    assert "opens only for the clinic&#39;s staff" in await response.text()  # as escaped
    assert (await console.client.get("/console/incidents")).status == 401


# --- the Mini App


async def test_a_mini_app_launch_signed_by_telegram_opens_the_console(console: Console) -> None:
    await console.staff_member()
    page = await console.client.get("/console/app")
    assert page.status == 200 and "/console/static/mini_app.js" in await page.text()
    response = await console.client.post(
        "/console/app/launch", data={"init_data": console.launch_data(NINA)}, allow_redirects=False
    )
    assert response.status == 303
    assert "Вы вошли как Nina" in await console.page("/console/incidents")  # Nina reads Russian


@pytest.mark.parametrize(
    "case", ["forged signature", "another bot's token", "an hour and a minute old", "no data"]
)
async def test_a_forged_or_stale_mini_app_launch_opens_nothing(console: Console, case: str) -> None:
    await console.staff_member()
    data = {
        "forged signature": console.launch_data(NINA).replace("hash=", "hash=0"),
        "another bot's token": console.launch_data(NINA, token="987654321:AAanother-bot-token"),
        "an hour and a minute old": console.launch_data(NINA, age=timedelta(minutes=61)),
        "no data": "",
    }[case]
    response = await console.client.post("/console/app/launch", data={"init_data": data})
    assert response.status == 403
    assert (await console.client.get("/console/incidents")).status == 401


# --- sessions and roles


async def test_a_session_ends_after_half_an_hour_idle_and_on_sign_out(console: Console) -> None:
    await console.signed_in()
    console.clock.advance(timedelta(minutes=29))
    await console.page("/console/patients")
    console.clock.advance(timedelta(minutes=30))
    assert (await console.client.get("/console/patients")).status == 401
    await console.signed_in()
    csrf = await console.csrf()
    signed_out = await console.client.post("/console/sign-out", data={"csrf": csrf})
    assert signed_out.status == 200 and "You are signed out" in await signed_out.text()
    assert (await console.client.get("/console/incidents")).status == 401


async def test_a_member_removed_from_staff_is_refused_at_once(console: Console) -> None:
    await console.staff_member()
    await console.signed_in(NINA, "Nina")
    await console.page("/console/incidents")
    async with console.database.unit_of_work() as uow:
        assert await remove_staff(uow, ADMIN, NINA, console.clock.now()) is not None
    assert (await console.client.get("/console/incidents")).status == 401


async def test_the_audit_trail_is_for_admins_only(console: Console) -> None:
    await console.staff_member()
    await console.signed_in(NINA, "Nina")
    refused = await console.client.get("/console/audit")
    assert refused.status == 403
    assert "Audit" not in await console.page("/console/incidents")  # no link to it either
    await console.signed_in(ADMIN, "Grey")
    trail = await console.page("/console/audit")
    assert "console.signed_in" in trail and str(NINA) in trail


# --- acting on incidents


async def test_acknowledging_in_the_browser_stores_it_and_leaves_telegram_to_the_outbox(
    console: Console,
) -> None:
    anna = await console.patient("Anna")
    incident_id = await console.incident(anna)
    await console.signed_in()
    page = await console.page("/console/incidents")
    assert "URGENT check-in: redness severe" in page and "Waiting for someone" in page
    csrf = await console.csrf()
    response = await console.client.post(
        f"/console/incidents/{incident_id}/acknowledge", data={"csrf": csrf}, allow_redirects=False
    )
    assert response.status == 303
    after = await console.page(response.headers["Location"])
    assert "Acknowledged. The posts in Telegram follow within seconds." in after
    assert "Acknowledged by Grey" in after
    async with console.database.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
        kinds = [m.kind for m in await uow.outbox.for_patient(anna.id or 0)]
    assert incident is not None and incident.state == IncidentState.ACKNOWLEDGED
    assert incident.acknowledged_by == ADMIN and incident.acknowledged_by_name == "Grey"
    assert INCIDENT_REFRESH in kinds and INCIDENT_SEEN in kinds
    assert console.wakes.count > 0


async def test_resolving_needs_an_outcome_and_closes_the_incident(console: Console) -> None:
    anna = await console.patient("Anna")
    incident_id = await console.incident(anna)
    await console.signed_in()
    csrf = await console.csrf()
    await console.client.post(
        f"/console/incidents/{incident_id}/resolve", data={"csrf": csrf, "outcome": "made-up"}
    )
    async with console.database.unit_of_work() as uow:
        still = await uow.incidents.by_id(incident_id)
    assert still is not None and still.state == IncidentState.OPEN
    response = await console.client.post(
        f"/console/incidents/{incident_id}/resolve", data={"csrf": csrf, "outcome": "phoned"}
    )
    assert "Resolved." in await response.text()
    assert "No open incidents." in await response.text()
    async with console.database.unit_of_work() as uow:
        resolved = await uow.incidents.by_id(incident_id)
    assert resolved is not None and resolved.state == IncidentState.RESOLVED
    assert resolved.outcome == "phoned"


async def test_two_staff_acknowledging_at_once_one_wins_the_other_is_told(
    console: Console,
) -> None:
    anna = await console.patient("Anna")
    incident_id = await console.incident(anna)
    first = await console.deps.incidents.acknowledge(incident_id, NINA, "Nina")
    assert first is not None
    await console.signed_in()
    response = await console.client.post(
        f"/console/incidents/{incident_id}/acknowledge", data={"csrf": await console.csrf()}
    )
    assert "Someone got there first: this incident is already acknowledged." in (
        await response.text()
    )
    async with console.database.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
    assert incident is not None and incident.acknowledged_by == NINA


@pytest.mark.parametrize("csrf", ["", "wrong", None])
async def test_a_form_without_its_sessions_csrf_token_changes_nothing(
    console: Console, csrf: str | None
) -> None:
    anna = await console.patient("Anna")
    incident_id = await console.incident(anna)
    await console.signed_in()
    data = {} if csrf is None else {"csrf": csrf}
    response = await console.client.post(f"/console/incidents/{incident_id}/acknowledge", data=data)
    assert response.status == 403
    assert "the page was out of date" in await response.text()
    async with console.database.unit_of_work() as uow:
        incident = await uow.incidents.by_id(incident_id)
    assert incident is not None and incident.state == IncidentState.OPEN


# --- patients


async def test_patients_are_listed_filtered_and_searched_by_a_form(console: Console) -> None:
    await console.patient("Anna")
    await console.patient("Boris", practitioner="Dr Petrova")
    await console.signed_in()
    listing = await console.page("/console/patients")
    assert "Patients: 2" in listing and "Anna" in listing and "Boris" in listing
    none_linked = await console.page("/console/patients?state=linked")
    assert "No patients match." in none_linked
    by_petrova = await console.page("/console/patients?practitioner=Dr+Petrova")
    assert "Patients: 1" in by_petrova and "Boris" in by_petrova and "Anna" not in by_petrova
    unknown = await console.page("/console/patients?practitioner=Nobody&plan=nothing")
    assert "Patients: 2" in unknown  # a filter that names nothing known is ignored
    response = await console.client.post(
        "/console/patients/search", data={"csrf": await console.csrf(), "q": "bor"}
    )
    found = await response.text()
    assert "Boris" in found and "Anna" not in found
    assert "bor" not in str(response.url)  # what was typed is not in the address


async def test_opening_a_patients_timeline_is_audited(console: Console) -> None:
    anna = await console.patient("Anna")
    await console.signed_in()
    timeline = await console.page(f"/console/patients/{anna.code}")
    assert f"{anna.code} Anna: what happened, newest first" in timeline
    async with console.database.unit_of_work() as uow:
        events = await uow.audit.since(NOW - timedelta(minutes=1))
    viewed = [e for e in events if e.action == "patient.viewed"]
    assert [(e.actor_telegram_id, e.subject, e.detail) for e in viewed] == [
        (ADMIN, anna.code, "console")
    ]
    assert (await console.client.get("/console/patients/P-ZZZZ")).status == 404
    assert (await console.client.get("/console/patients/not-a-code")).status == 404


# --- headers, errors, and what stays out of addresses and logs


async def test_every_answer_carries_the_security_headers(console: Console) -> None:
    await console.signed_in()
    for path in ("/console/incidents", "/console/nowhere", "/console/sign-in/x"):
        response = await console.client.get(path)
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, path
        assert "frame-ancestors https://web.telegram.org" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"


async def test_an_unknown_page_and_a_wrong_method_get_a_short_answer(console: Console) -> None:
    await console.signed_in()
    missing = await console.client.get("/console/nowhere")
    assert missing.status == 404 and "There is no such page." in await missing.text()
    wrong = await console.client.delete("/console/incidents")
    assert wrong.status == 405
    assert "Traceback" not in await wrong.text()


async def test_no_patient_name_or_code_reaches_an_address_or_a_log_line(
    console: Console, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aftercare_bot")
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    anna = await console.patient("Anastasia")
    incident_id = await console.incident(anna, "URGENT check-in: patient Anastasia, pus")
    await console.signed_in()
    pages = [
        await console.page("/console/incidents"),
        await console.page("/console/patients"),
        await console.page(f"/console/patients/{anna.code}"),
    ]
    search = await console.client.post(
        "/console/patients/search", data={"csrf": await console.csrf(), "q": "Anastasia"}
    )
    await console.client.post(
        f"/console/incidents/{incident_id}/acknowledge", data={"csrf": await console.csrf()}
    )
    addresses = [href for page in pages for href in re.findall(r'(?:href|action)="([^"]+)"', page)]
    assert addresses and not any("Anastasia" in address for address in addresses)
    assert "Anastasia" not in str(search.url)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "console GET patient 200" in logged  # the route is logged, not the path
    assert "Anastasia" not in logged and anna.code not in logged and "pus" not in logged


def test_libraries_that_log_sql_or_request_parameters_stay_quiet_at_debug() -> None:
    """An operator who asks for DEBUG gets the bot's own debug lines, never the database
    driver's (its lines carry the parameters: names, notes)."""
    try:
        logs.configure("DEBUG")
        assert logging.getLogger("aftercare_bot").isEnabledFor(logging.DEBUG)
        for name in ("aiosqlite", "sqlalchemy.engine", "psycopg", "aiohttp.access", "httpx"):
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
    finally:
        logging.getLogger().handlers.clear()
        logging.getLogger().setLevel(logging.WARNING)


@pytest.mark.parametrize("web_extra", ['public_url = "https://care.clinic.example"\n'])
async def test_behind_https_the_cookie_is_secure_and_bound_to_the_host(console: Console) -> None:
    secret = await console.link()
    response = await console.client.post(
        "/console/sign-in", data={"secret": secret}, allow_redirects=False
    )
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-console_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/console/incidents/999999/acknowledge", None),
        ("POST", "/console/incidents/99999999999999999999/acknowledge", None),
        ("POST", "/console/incidents/1/resolve", {"outcome": "x" * 5000}),
        ("POST", "/console/relay/999999/send", None),
        ("POST", "/console/patients/search", {"q": "\x00%_' OR 1=1 --" * 10}),
        ("GET", "/console/patients?page=-3&state=%00&practitioner=%FF", None),
        ("GET", "/console/patients/%2e%2e%2fetc", None),
        ("POST", "/console/enroll/preview", {"name": "\u202eAnna", "session": "31/02 10:00"}),
        ("POST", "/console/enroll/confirm", {"name": "", "session": "yesterday 99:99"}),
        ("POST", "/console/export", {"days": "99999999999999999999"}),
        ("GET", "/console/audit?page=999999999999", None),
        ("POST", "/console/staff/123/remove", None),
        ("GET", "/console/incidents/1/message", None),
    ],
)
async def test_odd_requests_get_a_short_answer_never_a_server_error(
    console: Console, method: str, path: str, body: dict[str, str] | None
) -> None:
    await console.signed_in()
    data = {"csrf": await console.csrf(), **(body or {})}
    response = await console.client.request(method, path, data=data if method == "POST" else None)
    text = await response.text()
    assert response.status < 500, (path, response.status, text[:300])
    assert "Traceback" not in text


async def test_a_body_too_large_or_not_a_form_is_refused_without_a_trace(console: Console) -> None:
    await console.signed_in()
    big = await console.client.post("/console/patients/search", data={"q": "a" * 200_000})
    assert big.status == 413
    odd = await console.client.post(
        "/console/patients/search",
        data=b"\xff\xfe\x00garbage",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert odd.status in (400, 403) and "Traceback" not in await odd.text()


async def test_a_form_posted_from_another_site_is_refused_even_for_sign_in(
    console: Console,
) -> None:
    secret = await console.link()
    elsewhere = {"Origin": "https://evil.example"}
    refused = await console.client.post(
        "/console/sign-in", data={"secret": secret}, headers=elsewhere, allow_redirects=False
    )
    assert refused.status == 403
    own = str(console.client.make_url("")).rstrip("/")
    accepted = await console.client.post(
        "/console/sign-in", data={"secret": secret}, headers={"Origin": own}, allow_redirects=False
    )
    assert accepted.status == 303  # the link was not spent by the refused post

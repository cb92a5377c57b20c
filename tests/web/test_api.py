"""The HTTP API with real keys: every call with a good key; a bookings key refused clinical
data; a revoked key, a removed owner's key and no key refused; errors in one JSON shape
naming the field; the rate limit; the OpenAPI document and its page."""

import base64
import io
import re
from datetime import timedelta
from typing import Any

import zxingcpp
from PIL import Image

from aftercare_bot.adapters.telegram.runtime.identity import bot_id
from aftercare_bot.domain.api_keys import ApiScope
from aftercare_bot.services.bot_username import remember_username
from aftercare_bot.services.staff import remove_staff
from tests.web.conftest import ADMIN, NINA, NOW, TOKEN, Console


async def key_for(console: Console, scope: ApiScope, owner: int = ADMIN) -> dict[str, str]:
    made = await console.deps.api_keys.create(ADMIN, owner, "tests", scope)
    assert made is not None
    return {"Authorization": f"Bearer {made[0]}"}


async def call(
    console: Console, method: str, path: str, key: dict[str, str], body: Any = None
) -> tuple[int, Any]:
    response = await console.client.request(method, path, headers=key, json=body)
    return response.status, await response.json()


async def test_every_call_with_a_good_key(console: Console) -> None:
    await remember_username(console.database, bot_id(TOKEN), "aftercare_test_bot", NOW)
    bookings = await key_for(console, ApiScope.BOOKINGS)
    clinical = await key_for(console, ApiScope.CLINICAL)
    session_at = (NOW - timedelta(hours=1)).isoformat()
    status, enrolled = await call(
        console, "POST", "/api/v1/patients", bookings,
        {"first_name": "Anna", "session_at": session_at, "practitioner": "Dr Lee"},
    )  # fmt: skip
    assert status == 201, enrolled
    code = enrolled["code"]
    assert enrolled["link"].startswith("https://t.me/aftercare_test_bot?start=")
    picture = Image.open(io.BytesIO(base64.b64decode(enrolled["qr_png_base64"])))
    assert zxingcpp.read_barcodes(picture)[0].text == enrolled["link"]
    assert set(enrolled) == {"code", "link", "link_expires_at", "qr_png_base64"}  # no health data

    at = (NOW + timedelta(weeks=3)).isoformat()
    status, appointment = await call(
        console, "PUT", f"/api/v1/patients/{code}/appointment", bookings, {"at": at}
    )
    assert status == 200 and appointment["next_appointment_at"].startswith(at[:16])
    status, cancelled = await call(
        console, "DELETE", f"/api/v1/patients/{code}/appointment", bookings
    )
    assert (status, cancelled["next_appointment_at"]) == (200, None)
    status, session = await call(
        console, "POST", f"/api/v1/patients/{code}/sessions", bookings,
        {"held_at": NOW.isoformat()},
    )  # fmt: skip
    assert (status, session["session_number"]) == (200, 2)

    status, listed = await call(console, "GET", "/api/v1/patients", clinical)
    assert status == 200 and [p["code"] for p in listed["patients"]] == [code]
    anna = await console.linked_patient("Vera", 5002)
    incident_id = await console.incident(anna)
    status, incidents = await call(console, "GET", "/api/v1/incidents", clinical)
    assert status == 200
    assert [(i["id"], i["patient_code"]) for i in incidents["incidents"]] == [
        (incident_id, anna.code)
    ]
    status, taken = await call(
        console, "POST", f"/api/v1/incidents/{incident_id}/acknowledge", clinical
    )
    assert (status, taken["state"], taken["by"]) == (200, "acknowledged", "1001")
    status, again = await call(
        console, "POST", f"/api/v1/incidents/{incident_id}/acknowledge", clinical
    )
    assert (status, again["error"]["code"]) == (409, "conflict")
    status, resolved = await call(
        console, "POST", f"/api/v1/incidents/{incident_id}/resolve", clinical,
        {"outcome": "phoned"},
    )  # fmt: skip
    assert (status, resolved["state"]) == (200, "resolved")
    status, discharged = await call(console, "POST", f"/api/v1/patients/{code}/discharge", clinical)
    assert (status, discharged["discharged"]) == (200, True)


async def test_a_bookings_key_is_refused_clinical_data(console: Console) -> None:
    bookings = await key_for(console, ApiScope.BOOKINGS)
    for method, path in [
        ("GET", "/api/v1/patients"),
        ("GET", "/api/v1/incidents"),
        ("POST", "/api/v1/incidents/1/acknowledge"),
        ("POST", "/api/v1/patients/P-AAAA/discharge"),
    ]:
        status, body = await call(console, method, path, bookings)
        assert (status, body["error"]["code"]) == (403, "forbidden"), path
        assert "clinical" in body["error"]["message"]


async def test_a_revoked_key_and_a_removed_owners_key_are_refused(console: Console) -> None:
    await console.staff_member()
    mine = await key_for(console, ApiScope.CLINICAL)
    ninas = await key_for(console, ApiScope.CLINICAL, owner=NINA)
    assert (await call(console, "GET", "/api/v1/incidents", mine))[0] == 200
    keys = await console.deps.api_keys.listing()
    mine_id = next(k.key.id for k in keys if k.key.user_id == ADMIN)
    assert mine_id is not None
    assert await console.deps.api_keys.revoke(ADMIN, mine_id)
    status, body = await call(console, "GET", "/api/v1/incidents", mine)
    assert (status, body["error"]["code"]) == (401, "unauthorized")
    assert (await call(console, "GET", "/api/v1/incidents", ninas))[0] == 200
    async with console.database.unit_of_work() as uow:
        await remove_staff(uow, ADMIN, NINA, NOW)
    assert (await call(console, "GET", "/api/v1/incidents", ninas))[0] == 401
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer nope"}):
        status, body = await call(console, "GET", "/api/v1/incidents", headers)
        assert (status, body["error"]["code"]) == (401, "unauthorized")


async def test_errors_name_the_field_in_one_shape(console: Console) -> None:
    await remember_username(console.database, bot_id(TOKEN), "aftercare_test_bot", NOW)
    bookings = await key_for(console, ApiScope.BOOKINGS)
    cases: list[tuple[dict[str, Any] | str, int, str | None]] = [
        ({"first_name": "Anna"}, 422, "session_at"),
        ({"first_name": "Anna", "session_at": "yesterday"}, 422, "session_at"),
        ({"first_name": "Anna", "session_at": "2026-11-25T10:00:00"}, 422, "session_at"),
        ({"first_name": "", "session_at": NOW.isoformat()}, 422, "first_name"),
        ({"first_name": "Anna +44 7700 900123", "session_at": NOW.isoformat()}, 422, "first_name"),
        ({"first_name": "Anna", "session_at": NOW.isoformat(), "plan": "x"}, 422, "plan"),
        ({"first_name": "Anna", "session_at": NOW.isoformat(), "language": "xx"}, 422, "language"),
        ({"first_name": "Anna", "session_at": NOW.isoformat(), "ssn": "1"}, 422, "ssn"),
    ]
    for body, status, field in cases:
        got, answer = await call(console, "POST", "/api/v1/patients", bookings, body)
        assert (got, answer["error"]["field"]) == (status, field), body
        assert set(answer) == {"error"} and set(answer["error"]) == {"code", "message", "field"}
    response = await console.client.post(
        "/api/v1/patients", headers=bookings, data=b"\xff\xfe not json"
    )
    assert response.status in (400, 422)
    assert (await response.json())["error"]["code"] == "invalid"
    status, body = await call(console, "GET", "/api/v1/nothing", bookings)
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = await call(
        console, "PUT", "/api/v1/patients/P-ZZZZ/appointment", bookings,
        {"at": (NOW + timedelta(days=9)).isoformat()},
    )  # fmt: skip
    assert (status, body["error"]["field"]) == (404, "code")


async def test_a_key_past_its_rate_is_told_when_to_try_again(console: Console) -> None:
    clinical = await key_for(console, ApiScope.CLINICAL)
    console.deps_budget().per_minute = 3
    for _ in range(3):
        assert (await call(console, "GET", "/api/v1/incidents", clinical))[0] == 200
    response = await console.client.get("/api/v1/incidents", headers=clinical)
    assert response.status == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert (await response.json())["error"]["code"] == "rate_limited"
    console.clock.advance(timedelta(minutes=1))
    assert (await call(console, "GET", "/api/v1/incidents", clinical))[0] == 200


async def test_the_openapi_document_and_its_page_describe_every_call(console: Console) -> None:
    response = await console.client.get("/api/openapi.json")
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    operations = {
        (method.upper(), path) for path, spec in document["paths"].items() for method in spec
    }
    assert ("POST", "/api/v1/patients") in operations and len(operations) == 10
    schema = document["components"]["schemas"]["EnrollBody"]
    assert set(schema["required"]) == {"first_name", "session_at"}
    page = await console.client.get("/api/docs")
    text = await page.text()
    assert page.status == 200 and "POST /api/v1/patients" in text and "session_at" in text


async def test_an_admin_makes_a_key_on_the_console_shown_once_and_revokes_it(
    console: Console,
) -> None:
    await console.staff_member()
    await console.signed_in()
    page = await console.page("/console/api-keys")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    made = await console.client.post(
        "/console/api-keys",
        data={"csrf": csrf[1], "owner": str(NINA), "scope": "clinical", "label": "Cal.com"},
    )
    text = await made.text()
    secret = re.search(r'id="new-key">([^<]+)<', text)
    assert made.status == 200 and secret is not None
    key = {"Authorization": f"Bearer {secret[1]}"}
    assert (await call(console, "GET", "/api/v1/incidents", key))[0] == 200
    listed = await console.page("/console/api-keys")
    assert secret[1] not in listed and secret[1][:12] in listed  # shown once, then its prefix
    assert "Nina" in listed and "Cal.com" in listed
    key_id = re.search(r'action="/console/api-keys/(\d+)/revoke"', listed)
    assert key_id is not None
    revoked = await console.client.post(
        f"/console/api-keys/{key_id[1]}/revoke", data={"csrf": csrf[1]}
    )
    assert revoked.status == 200
    assert (await call(console, "GET", "/api/v1/incidents", key))[0] == 401
    refused = await console.client.post(
        "/console/api-keys", data={"csrf": csrf[1], "owner": "424242", "scope": "clinical"}
    )
    assert refused.status == 400  # not staff: no key
    await console.signed_in(NINA, "Nina")
    assert (await console.client.get("/console/api-keys")).status == 403
    async with console.database.unit_of_work() as uow:
        actions = [event.action for event in await uow.audit.since(NOW)]
    assert actions.count("api_key.created") == 1 and actions.count("api_key.revoked") == 1

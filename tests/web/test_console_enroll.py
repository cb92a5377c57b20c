"""Enrolling a patient in the browser, over HTTP: the same reading of names and dates as
/enroll, the dry-run timeline before anything is stored, then the link and a QR code that
reads back to it."""

import base64
import html
import io
import re

import zxingcpp
from PIL import Image

from aftercare_bot.adapters.telegram.runtime.identity import bot_id
from aftercare_bot.services.bot_username import remember_username
from tests.web.conftest import NOW, TOKEN, Console


async def enroll_page(console: Console) -> None:
    await remember_username(console.database, bot_id(TOKEN), "aftercare_test_bot", NOW)
    await console.signed_in()


async def post(console: Console, path: str, **fields: str) -> tuple[int, str]:
    csrf = re.search(r'name="csrf" value="([^"]+)"', await console.page("/console/enroll"))
    assert csrf is not None
    response = await console.client.post(path, data={"csrf": csrf[1], **fields})
    return response.status, html.unescape(await response.text())


async def test_a_patient_is_enrolled_after_a_preview_and_gets_a_link_and_a_qr_code(
    console: Console,
) -> None:
    await enroll_page(console)
    form = await console.page("/console/enroll")
    assert 'value="Grey"' in form  # the practitioner defaults to whoever is signed in
    answers = {
        "name": "Lucía",
        "session": "yesterday 15:00",
        "practitioner": "Grey",
        "next": "w3",
        "language": "ru",
        "product": "Dermaheal HSR",
        "batch": "LOT-42",
    }
    status, preview = await post(console, "/console/enroll/preview", **answers)
    assert status == 200, preview
    assert "Lucía will get these messages (in Europe/London time):" in preview
    assert "Session held: Sun 6 Dec 2026, 15:00" in preview
    assert "Next session: Sun 27 Dec 2026, 15:00" in preview
    async with console.database.unit_of_work() as uow:
        assert not await uow.patients.matching("Lucía")  # nothing stored yet
    carried = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', preview))
    assert carried["session"] == "2026-12-06 15:00"  # read once, carried as read
    status, done = await post(console, "/console/enroll/confirm", **answers | carried)
    assert status == 200, done
    found = re.search(r"Lucía is enrolled as (P-\w{4})", done)
    link = re.search(r'href="(https://t\.me/aftercare_test_bot\?start=[\w-]+)"', done)
    qr = re.search(r'src="data:image/png;base64,([^"]+)"', done)
    assert found is not None and link is not None and qr is not None
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(qr[1]))))
    assert decoded.text == link[1]
    assert "отсканируйте камерой телефона" in done  # the caption is in Lucía's language
    async with console.database.unit_of_work() as uow:
        patient = await uow.patients.by_code(found[1])
    assert patient is not None and patient.display_name == "Lucía"
    assert patient.language == "ru" and patient.enrolled_by == 1001


async def test_a_name_with_more_than_a_first_name_is_refused_on_its_field(
    console: Console,
) -> None:
    await enroll_page(console)
    status, page = await post(
        console, "/console/enroll/preview", name="Anna +44 7700 900123", session=""
    )
    assert status == 400
    assert 'class="error"' in page and "phone" in page.lower()
    async with console.database.unit_of_work() as uow:
        assert not await uow.patients.matching("Anna")


async def test_a_date_that_could_be_either_is_asked_and_a_future_session_refused(
    console: Console,
) -> None:
    await enroll_page(console)
    status, page = await post(console, "/console/enroll/preview", name="Anna", session="3/12 10:00")
    assert status == 400
    assert "Thu 3 Dec 2026, 10:00 or Sat 12 Dec 2026" not in page  # 12 March, not December
    assert "Thu 3 Dec 2026, 10:00 or Thu 12 Mar 2026, 10:00?" in page
    status, page = await post(
        console, "/console/enroll/preview", name="Anna", session="tomorrow 10:00"
    )
    assert status == 400
    assert "That is not a date and time of a session already held." in page
    status, page = await post(
        console, "/console/enroll/preview", name="Anna", session="", next_typed="yesterday 10:00"
    )
    assert status == 400
    assert "That is not a date and time after the session." in page

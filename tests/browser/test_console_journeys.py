"""The staff console in a real browser, against the whole bot: sign in by the link /console
sends, acknowledge and resolve an incident and see the Telegram post follow, enroll a patient
and read the QR code back, open the console as a Mini App."""

import io
import json
import re
from urllib.parse import quote

import pytest
import zxingcpp
from PIL import Image

from aftercare_bot.domain.console_access import sign_launch_data
from tests.browser.conftest import Browser
from tests.e2e.conftest import TOKEN, RunningBot
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import incident_post, report_severe, staff_group


async def sign_in(bot: RunningBot, browser: Browser) -> str:
    """/console in Telegram, the link opened in the browser, Sign in pressed."""
    await bot.admin.send("/console")
    message = await bot.admin.wait_for_reply()
    link = re.search(r"http://\S+/console/sign-in/\S+", message["text"])
    assert link is not None
    await browser.open(link[0])
    await browser.press("Sign in")
    return await browser.wait_for("Signed in as Grey")


async def test_a_nurse_signs_in_with_the_link_from_telegram(
    bot: RunningBot, browser: Browser
) -> None:
    page = await sign_in(bot, browser)
    assert "Open incidents" in page and "No open incidents." in page
    await browser.press("Sign out")
    await browser.wait_for("You are signed out")
    await browser.open("/console/incidents")
    assert "Please sign in first" in await browser.text()


async def test_an_incident_acknowledged_and_resolved_in_the_browser_changes_the_group_post(
    bot: RunningBot, browser: Browser
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    page = await sign_in(bot, browser)
    assert f"URGENT check-in: patient {code} (Anna)" in page
    await browser.screenshot("console-incidents")
    await browser.press("Acknowledge")
    await browser.wait_for("Acknowledged by Grey")
    await bot.settle()
    assert "Acknowledged by Grey" in bot.current(post)["text"]
    await browser.choose("outcome", "Phoned the patient")
    await browser.press("Resolve")
    await browser.wait_for("No open incidents.")
    await bot.settle()
    assert "Resolved by Grey" in bot.current(post)["text"]
    assert "phoned the patient" in bot.current(post)["text"]


@pytest.mark.parametrize("languages", [["en", "es"]])
async def test_a_patient_enrolled_in_the_browser_links_with_the_qr_code_shown(
    bot: RunningBot, browser: Browser
) -> None:
    await sign_in(bot, browser)
    await browser.open("/console/enroll")
    await browser.type("name", "Lucía")
    await browser.type("session", "today 09:30")
    await browser.choose("language", "Español")
    await browser.press("Show the messages she will get")
    await browser.wait_for("Lucía will get these messages")
    await browser.press("Enroll and make the link")
    page = await browser.wait_for("is enrolled as")
    await browser.screenshot("console-enrolled")
    link = await browser.attribute("a.link", "href")
    picture = await browser._run(
        lambda: browser.driver.find_element("css selector", ".qr img").screenshot_as_png
    )
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(picture)))
    assert decoded.text == link
    assert "escanee con la cámara del teléfono" in page  # the caption speaks Lucía's language
    lucia = bot.simulator.add_user(first_name="Lucía", language_code="es")
    await lucia.send(f"/start {link.split('start=')[1]}")
    assert (await lucia.wait_for_reply())["text"].startswith("¡Hola, Lucía!")


async def test_the_console_opens_as_a_mini_app_from_telegrams_launch_data(
    bot: RunningBot, browser: Browser
) -> None:
    """Telegram opens the Mini App's address with its signed launch data after "#"; the page's
    script posts it back and the console opens, signed in."""
    fields = {
        "auth_date": str(int(bot.clock.now().timestamp())),
        "user": json.dumps({"id": bot.admin.id, "first_name": "Grey", "language_code": "en"}),
    }
    launch = sign_launch_data(fields, TOKEN)
    await browser.open(f"/console/app#tgWebAppData={quote(launch)}&tgWebAppVersion=8.0")
    page = await browser.wait_for("Signed in as Grey")
    assert "Open incidents" in page

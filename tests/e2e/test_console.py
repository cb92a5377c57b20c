"""The staff console with the whole bot: /console in Telegram gives a one-time link, the link
signs a browser in, and an incident acknowledged in the browser changes the post in the
Telegram staff group (through the outbox, from the instance that talks to Telegram)."""

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.e2e.conftest import RunningBot
from tests.e2e.enrollment_steps import answer
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import incident_post, report_severe, staff_group
from tests.ports import free_port


@pytest.fixture
def port() -> int:
    """The console's port for this test."""
    return free_port()


@pytest.fixture
def extra_config(port: int) -> str:
    """The console switched on, on `port` (a test about it being off says so)."""
    return f"\n[web]\nenabled = true\nport = {port}\n"


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    """A browser's cookie jar (it keeps cookies for 127.0.0.1, as a browser does)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def sign_in(bot: RunningBot, browser: aiohttp.ClientSession, port: int) -> str:
    """Ask the bot for a link in Telegram, open it and press Sign in; the incidents page."""
    await bot.admin.send("/console")
    message = await bot.admin.wait_for_reply()
    link = re.search(r"http://\S+/console/sign-in/\S+", message["text"])
    assert link is not None, message["text"]
    sent = [c for c in bot.simulator.calls("sendMessage") if "/console/sign-in/" in str(c.params)]
    # Telegram must not fetch (and so spend) the one-time link to preview it
    assert sent[-1].params.get("link_preview_options") == {"is_disabled": True}
    async with browser.get(link[0]) as form:
        secret = re.search(r'name="secret" value="([^"]+)"', await form.text())
    assert secret is not None
    async with browser.post(
        f"http://127.0.0.1:{port}/console/sign-in", data={"secret": secret[1]}
    ) as page:
        assert page.status == 200
        return await page.text()


async def test_an_incident_acknowledged_in_the_browser_changes_the_telegram_post(
    bot: RunningBot, browser: aiohttp.ClientSession, port: int
) -> None:
    group = await staff_group(bot)
    anna, code = await linked(bot)
    await report_severe(bot, anna)
    post = await incident_post(bot, group)
    page = await sign_in(bot, browser, port)
    assert f"URGENT check-in: patient {code} (Anna)" in page
    found = re.search(r'action="(/console/incidents/\d+/acknowledge)"', page)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None and csrf is not None
    async with browser.post(
        f"http://127.0.0.1:{port}{found[1]}", data={"csrf": csrf[1]}
    ) as acknowledged:
        assert "Acknowledged by Grey" in await acknowledged.text()
    await bot.settle()
    assert "Acknowledged by Grey" in bot.current(post)["text"]
    told = [m["text"] for m in bot.simulator.messages_in(anna) if "Grey" in m.get("text", "")]
    assert told and "has seen your report" in told[-1]


@pytest.mark.parametrize("extra_config", [""], ids=["console off"])
async def test_console_is_refused_in_a_group_and_to_strangers_and_explained_when_off(
    bot: RunningBot,
) -> None:
    reply = await answer(bot.admin, "/console")
    assert "not switched on for this clinic" in reply["text"]
    group = await staff_group(bot)
    await bot.admin.send("/console", chat=group)
    assert "private chat" in (await bot.admin.wait_for_reply(chat=group))["text"]
    stranger = bot.simulator.add_user(first_name="Eve")
    await stranger.send("/console")
    assert "for clinic staff only" in (await stranger.wait_for_reply())["text"]

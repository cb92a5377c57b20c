"""Clinic settings changed in the console while the bot runs: the staff group is told who
changed what, the next safety-net message uses the new hours with no restart, and a second
instance standing by takes them at its next tick."""

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aftercare_bot.bootstrap import BotRuntime
from aftercare_bot.clock import ManualClock
from aftercare_bot.config import Config, load_config
from aftercare_bot.sandbox import SimChat, TelegramSimulator
from tests.config_files import VALID_CONFIG, write_config
from tests.e2e.conftest import START, ImmediatePacer, RunningBot
from tests.e2e.test_console import sign_in
from tests.e2e.test_delivery import linked
from tests.e2e.test_incidents import group_post, incident_post, report_severe, staff_group
from tests.e2e.test_restarts import running
from tests.ports import free_port
from tests.web.test_console_settings import as_form, form_values


@pytest.fixture
def port() -> int:
    """The first instance's console port."""
    return free_port()


@pytest.fixture
def extra_config(port: int) -> str:
    return f"\n[web]\nenabled = true\nport = {port}\n"


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


@asynccontextmanager
async def standby(bot: RunningBot) -> AsyncIterator[BotRuntime]:
    """A second instance on the same database, standing by, with a console on a port of its
    own. It stops before the test moves the clock by more than its lease: a jump of half an
    hour in one step would let it take over from an instance that, in real time, renews."""
    file = bot.runtime.services.live.file
    config = file.model_copy(update={"web": file.web.model_copy(update={"port": free_port()})})
    async with BotRuntime(config, clock=bot.clock, pacer=ImmediatePacer()) as second:
        bot.clock.on_change(second.heartbeat.wake)
        assert not second.active
        yield second


async def test_new_hours_reach_the_staff_group_the_safety_net_and_the_standby_without_restart(
    bot: RunningBot, browser: aiohttp.ClientSession, port: int
) -> None:
    group = await staff_group(bot)
    anna, _code = await linked(bot)
    async with standby(bot) as second:
        await change_hours_then_see_them_on(bot, second, browser, port, group)

    # Thursday morning: closed under the new hours, so the safety net says so.
    await report_severe(bot, anna)
    await incident_post(bot, group)
    reported_at = bot.clock.now()
    await bot.live_until(reported_at + timedelta(minutes=31))
    nets = [
        m["text"]
        for m in bot.simulator.messages_in(anna)
        if "the clinic is closed now" in m.get("text", "")
    ]
    assert len(nets) == 1, nets
    assert re.search(r"closed now \(Sat.Sun 10:00.14:00\)", nets[0]), nets[0]
    assert "call 112 now" in nets[0]


async def change_hours_then_see_them_on(
    bot: RunningBot,
    standby: BotRuntime,
    browser: aiohttp.ClientSession,
    port: int,
    group: SimChat,
) -> None:
    """An admin changes the hours and the emergency number on the first instance's console;
    the staff group hears it; the standby takes them at its next tick, with no restart."""
    await sign_in(bot, browser, port)
    async with browser.get(f"http://127.0.0.1:{port}/console/settings") as page:
        values = form_values(await page.text())
    values["clinic.hours"] = "Sat-Sun 10:00-14:00"
    values["clinic.emergency_number"] = "112"
    async with browser.post(
        f"http://127.0.0.1:{port}/console/settings", data=as_form(values)
    ) as saved:
        assert "Saved." in await saved.text()
    notice = await group_post(bot, group, "changed a clinic setting")
    assert "Grey changed a clinic setting: Opening hours" in notice["text"]
    assert "Mon-Fri 09:00-19:00, Sat 10:00-14:00 → Sat-Sun 10:00-14:00" in notice["text"]
    await group_post(bot, group, "Emergency number")

    # The standby was not restarted: it reads the stored settings at its next tick.
    bot.clock.set(bot.clock.now() + timedelta(seconds=5))
    await standby.heartbeat.idle()
    assert standby.services.config.clinic.hours.text == "Sat-Sun 10:00-14:00"
    standby_port = standby.services.config.web.port
    async with browser.get(f"http://127.0.0.1:{standby_port}/console/settings") as page:
        assert form_values(await page.text())["clinic.hours"] == "Sat-Sun 10:00-14:00"


async def test_a_restart_with_a_changed_file_names_the_setting_and_the_database_wins(
    simulator: TelegramSimulator, database_url: str, tmp_path: Path, caplog: Any
) -> None:
    grey = simulator.add_user(first_name="Grey")

    def config_with(text: str) -> Config:
        return load_config(
            write_config(
                tmp_path,
                text,
                database_url=database_url,
                base_url=simulator.base_url,
                admin_ids=(grey.id,),
            )
        )

    clock = ManualClock(START)
    async with running(config_with(VALID_CONFIG), clock):
        pass  # the first start imports the file's settings and the shipped plan
    shipped = (files("aftercare_bot") / "default_plans.toml").read_text(encoding="utf-8")
    (tmp_path / "plans.toml").write_text(shipped.replace('at = "19:00"', 'at = "20:00"'))
    edited = (
        VALID_CONFIG.replace('phone = "+44 20 7946 0000"', 'phone = "+44 20 7946 9999"')
        + '\n[schedule]\nplans_file = "plans.toml"\n'
    )
    with caplog.at_level(logging.WARNING, logger="aftercare_bot.bootstrap"):
        async with running(config_with(edited), clock) as runtime:
            assert runtime.services.config.clinic.phone == "+44 20 7946 0000"
            plan = runtime.services.plans.current("scalp-mesotherapy")
            assert plan is not None
            evening = next(step for step in plan.steps if step.key == "evening")
            assert str(evening.anchor.at) == "19:00:00"  # type: ignore[union-attr]
    named = [r.getMessage() for r in caplog.records if "differs" in r.getMessage()]
    assert named == [
        "clinic.phone in config.toml differs from the clinic's setting in the database, which "
        "is used (an admin changes it on the console's Settings page)",
        "plan scalp-mesotherapy in the file differs from its newest version in the database, "
        "which is used (staff edit plans on the console's Plans page)",
    ]

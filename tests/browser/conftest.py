"""Real-browser journeys through the staff console (`make test-browser`): Debian's Chromium,
driven by Selenium through Debian's chromedriver, against the whole bot (the Telegram
simulator, the bot and its console, on a controlled clock).

The bot runs in the test's event loop; every browser call is blocking, so each runs in a
thread (`Browser`), leaving the loop free to serve the pages the browser asks for.
"""

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from tests.e2e.conftest import (  # noqa: F401 - the whole bot, as the e2e tests run it
    bot,
    digest_at,
    languages,
    simulator,
    start_at,
)
from tests.ports import free_port

CHROMIUM = os.environ.get("AFTERCARE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("AFTERCARE_CHROMEDRIVER", "/usr/bin/chromedriver")
# Where the journeys leave screenshots for the README, when asked (make screenshots).
SCREENSHOTS = os.environ.get("AFTERCARE_SCREENSHOTS", "")

T = TypeVar("T")


class Browser:
    """A headless Chromium, each call run off the event loop."""

    def __init__(self, driver: webdriver.Chrome, base: str) -> None:
        self.driver = driver
        self.base = base

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(call, *args)

    async def open(self, address: str) -> None:
        """Go to an address (a path is on the console)."""
        await self._run(self.driver.get, address if "://" in address else self.base + address)

    async def wait_for(self, text: str, timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """Wait until the page says `text` (after a press, the next page loads); the page."""
        from selenium.common.exceptions import (
            NoSuchElementException,
            StaleElementReferenceException,
        )
        from selenium.webdriver.support.ui import WebDriverWait

        # the old page's body goes stale while the next one loads: look again
        waiting = WebDriverWait(
            self.driver,
            timeout,
            ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
        )
        try:
            await self._run(waiting.until, lambda _: text in self._body())
        except Exception as error:
            raise AssertionError(f"{text!r} not on the page in {timeout} s") from error
        return str(await self._run(waiting.until, lambda _: self._body()))

    async def text(self) -> str:
        """What the page says (once a page with a body is there)."""
        return await self.wait_for("")

    def _body(self) -> str:
        """The body's text. While the next page loads, Chromium may answer for the old body
        with "Node with given id does not belong to the document" instead of Selenium's own
        stale-element error: that is the same case, and is raised as it."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

        try:
            return str(self.driver.find_element(By.TAG_NAME, "body").text)
        except WebDriverException as error:
            if "does not belong to the document" in str(error.msg):
                raise StaleElementReferenceException(error.msg) from error
            raise

    async def press(self, label: str, within: str = "") -> None:
        """Press the button labelled `label` (inside the element `within`, a CSS selector)."""

        def press() -> None:
            scope: Any = (
                self.driver.find_element(By.CSS_SELECTOR, within) if within else self.driver
            )
            buttons: list[WebElement] = scope.find_elements(By.TAG_NAME, "button")
            matching = [button for button in buttons if button.text.strip() == label]
            assert matching, f"no button {label!r}: {[b.text for b in buttons]}"
            matching[0].click()

        await self._run(press)

    async def type(self, name: str, text: str) -> None:
        """Type into the field named `name`."""

        def type_in() -> None:
            field = self.driver.find_element(By.NAME, name)
            field.clear()
            field.send_keys(text)

        await self._run(type_in)

    async def choose(self, name: str, label: str) -> None:
        """Choose `label` in the list named `name`."""
        from selenium.webdriver.support.ui import Select

        await self._run(
            lambda: Select(self.driver.find_element(By.NAME, name)).select_by_visible_text(label)
        )

    async def attribute(self, selector: str, name: str) -> str:
        """An attribute of the first element matching a CSS selector."""
        value = await self._run(
            lambda: self.driver.find_element(By.CSS_SELECTOR, selector).get_attribute(name)
        )
        return str(value or "")

    async def screenshot(self, name: str) -> None:
        """Save the page for the README, when screenshots were asked for."""
        if SCREENSHOTS:
            folder = Path(SCREENSHOTS)
            await self._run(lambda: folder.mkdir(parents=True, exist_ok=True))
            await self._run(self.driver.save_screenshot, str(folder / f"{name}.png"))


def _chromium() -> webdriver.Chrome:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail(
            f"no Chromium at {CHROMIUM} or no chromedriver at {CHROMEDRIVER}: "
            "`make test-browser` installs Debian's chromium and chromium-driver"
        )
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1100,900",
        "--lang=en-GB",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture
def port() -> int:
    """The console's port for this test."""
    return free_port()


@pytest.fixture
def extra_config(port: int) -> str:
    """The bot's config with the console on."""
    return f"\n[web]\nenabled = true\nport = {port}\n"


@pytest.fixture
async def browser(port: int) -> AsyncIterator[Browser]:
    """A fresh headless Chromium (its own profile: no cookies from another test)."""
    driver = await asyncio.to_thread(_chromium)
    try:
        yield Browser(driver, f"http://127.0.0.1:{port}")
    finally:
        await asyncio.to_thread(driver.quit)

"""The staff console over real HTTP, without a browser: the aiohttp app on a test server, on a
migrated database (SQLite, or PostgreSQL with AFTERCARE_TEST_DATABASE_URL), with a clock the
test controls. A staff member's sign-in link is issued by the same use case /console calls."""

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from aftercare_bot.adapters.live_config import LiveConfig
from aftercare_bot.adapters.persistence.database import Database
from aftercare_bot.adapters.web.console import ConsoleDeps, build_console_app
from aftercare_bot.adapters.web.server import ACCESS_LOG, console_deps
from aftercare_bot.clock import ManualClock
from aftercare_bot.config import Config, load_config
from aftercare_bot.domain.console_access import sign_launch_data
from aftercare_bot.domain.enrollment_links import LinkProblem
from aftercare_bot.domain.incidents import IncidentUrgency
from aftercare_bot.domain.patients import Enrollment, Patient
from aftercare_bot.services.enrollment import EnrolledPatient, enroll_patient
from aftercare_bot.services.escalation import PagingRules
from aftercare_bot.services.linking import Opening, accept_consent, open_link
from aftercare_bot.services.staff import invite_staff
from aftercare_bot.services.staff_incidents import StaffIncidents
from aftercare_bot.texts import Texts
from tests.config_files import write_config
from tests.fakes.notices import FakePatients, FakeStaff
from tests.services.test_staff_requests import PLAN, PLANS

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
ADMIN, NINA, STRANGER = 1001, 777, 999
TOKEN = "123456789:AAtest-token-for-the-simulator-00"
RULES = PagingRules(timedelta(minutes=15), 3, timedelta(hours=4), timedelta(minutes=30))


class Wakes:
    """Counts the dispatcher's wake-ups (the console wakes it after leaving work in the outbox)."""

    def __init__(self) -> None:
        self.count = 0

    def wake(self) -> None:
        self.count += 1


@dataclass
class Console:
    """The console under test, its database and clock, and a client that keeps cookies."""

    client: TestClient[Any, Any]
    database: Database
    clock: ManualClock
    config: Config
    wakes: Wakes
    deps: ConsoleDeps

    async def signed_in(self, user_id: int = ADMIN, name: str = "Grey") -> None:
        """Sign in as `user_id` through a one-time link, as a staff member would."""
        secret = await self.link(user_id, name)
        response = await self.client.post(
            "/console/sign-in", data={"secret": secret}, allow_redirects=False
        )
        assert response.status == 303, await response.text()

    async def link(self, user_id: int = ADMIN, name: str = "Grey") -> str:
        """A one-time sign-in secret, as /console would send it."""
        secret = await self.deps.access.issue_sign_in(user_id, name)
        assert secret is not None
        return secret

    def deps_budget(self) -> Any:
        """The API's request budget of this console (a test lowers it)."""
        from aftercare_bot.adapters.api.guard import BUDGET

        return self.client.server.app[BUDGET]

    async def page(self, path: str) -> str:
        """GET a page that must load."""
        response = await self.client.get(path)
        text = await response.text()
        assert response.status == 200, text
        return text

    async def csrf(self) -> str:
        """The CSRF token the pages' forms carry for this session."""
        found = re.search(r'name="csrf" value="([^"]+)"', await self.page("/console/incidents"))
        assert found is not None
        return found[1]

    async def patient(self, name: str = "Anna", practitioner: str = "Grey") -> Patient:
        """A patient enrolled now, not linked."""
        return (await self._enrolled(name, practitioner)).patient

    async def linked_patient(
        self, name: str = "Anna", chat_id: int = 5001, practitioner: str = "Grey"
    ) -> Patient:
        """A patient enrolled now who opened her link in chat `chat_id` and agreed."""
        done = await self._enrolled(name, practitioner)
        async with self.database.unit_of_work() as uow:
            link = await open_link(uow, done.token, chat_id, name, self.clock.now())
        assert link.link_id is not None
        async with self.database.unit_of_work() as uow:
            given = await accept_consent(
                uow, link.link_id, chat_id, "en", PLANS, None, self.clock.now()
            )
        assert not isinstance(given, LinkProblem)
        return given.patient

    async def _enrolled(self, name: str, practitioner: str) -> EnrolledPatient:
        async with self.database.unit_of_work() as uow:
            return await enroll_patient(
                uow,
                Enrollment(name, NOW, practitioner, PLAN, "Europe/London", enrolled_by=ADMIN),
                PLANS[PLAN],
                self.clock.now(),
                timedelta(days=7),
            )

    async def incident(
        self, patient: Patient, text: str = "URGENT check-in: redness severe"
    ) -> int:
        """An urgent incident for `patient`, reported as a check-in would report it."""
        assert patient.id is not None
        incidents = StaffIncidents(
            self.database, self.clock, self.wakes, RULES, FakeStaff(), FakePatients()
        )
        reported = await incidents.report(patient.id, IncidentUrgency.URGENT, text)
        assert reported is not None and reported.incident.id is not None
        return reported.incident.id

    async def staff_member(self, user_id: int = NINA, name: str = "Nina") -> None:
        """A member invited by the admin who has joined."""
        async with self.database.unit_of_work() as uow:
            token = await invite_staff(uow, ADMIN, self.clock.now(), timedelta(days=1))
        async with self.database.unit_of_work() as uow:
            joined = await open_link(uow, token, user_id, name, self.clock.now())
        assert joined.outcome == Opening.STAFF_JOINED

    def launch_data(
        self, user_id: int, *, age: timedelta = timedelta(0), token: str = TOKEN
    ) -> str:
        """Mini App launch data as Telegram would sign it."""
        fields = {
            "auth_date": str(int((self.clock.now() - age).timestamp())),
            "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
            "user": json.dumps({"id": user_id, "first_name": "Nina", "language_code": "ru"}),
        }
        return sign_launch_data(fields, token)


def console_config(tmp_path: Path, database_url: str, extra: str = "") -> Config:
    web = "\n[web]\nenabled = true\nport = 8080\n" + extra
    return load_config(write_config(tmp_path, database_url=database_url, extra=web))


@pytest.fixture
def web_extra() -> str:
    """More of the [web] section, for a test that needs it (e.g. an https public_url)."""
    return ""


@pytest.fixture
async def console(database_url: str, tmp_path: Path, web_extra: str) -> AsyncIterator[Console]:
    config = console_config(tmp_path, database_url, web_extra)
    texts = Texts.load().offering(("en", "ru"))
    database = Database(config.database_url)
    clock = ManualClock(NOW)
    wakes = Wakes()
    deps = console_deps(LiveConfig(config, texts, dict(PLANS)), database, clock, wakes)
    server = TestServer(build_console_app(deps))
    await server.start_server(access_log=ACCESS_LOG)  # served as ConsoleServer serves it
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    try:
        yield Console(client, database, clock, config, wakes, deps)
    finally:
        await client.close()
        await database.dispose()

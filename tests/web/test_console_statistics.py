"""The statistics page over HTTP: the figures of /stats, the chart with each point's number of
patients, and a CSV beside each table whose cells a spreadsheet will not run."""

import base64
import csv
import io
import re
from datetime import timedelta

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.triage import TriageRules
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.patient_check_ins import PatientCheckIns
from tests.web.conftest import NOW, Console

FORMULA = '=HYPERLINK("http://evil.example","Dr")'


async def answered_check_in(console: Console, chat_id: int, level: str) -> None:
    timing = CheckInTiming(nudge_after=timedelta(hours=8), expire_after=timedelta(hours=24))
    clock = ManualClock(NOW + timedelta(days=1))
    check_ins = PatientCheckIns(console.database, TriageRules(), timing, clock)
    started = await check_ins.start(chat_id)
    assert started is not None
    for step in (Step.REDNESS, Step.SWELLING, Step.BRUISING):
        await check_ins.tap(started.check_in_id, step, level, chat_id)
    await check_ins.tap(started.check_in_id, Step.SIGNS, "done", chat_id)
    await check_ins.tap(started.check_in_id, Step.PHOTO, "skip", chat_id)
    await check_ins.tap(started.check_in_id, Step.NOTE, "skip", chat_id)


async def test_the_figures_the_chart_and_a_csv_beside_each(console: Console) -> None:
    await console.linked_patient("Anna", 5001)
    await console.linked_patient("Olga", 5002, practitioner=FORMULA)
    await answered_check_in(console, 5001, "mild")
    await answered_check_in(console, 5002, "moderate")
    console.clock.advance(timedelta(days=2))
    await console.signed_in()
    page = await console.page("/console/statistics?days=30")
    assert "Check-ins: 2 answered of 2" in page
    assert "Each point is labelled with the number of patients it rests on." in page
    charts = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    # reactions by day; answered and missed; stronger reactions by practitioner, by batch
    assert len(charts) == 4
    assert all(base64.b64decode(chart).startswith(b"\x89PNG") for chart in charts)
    summary = await console.client.get("/console/statistics/summary.csv?days=30")
    figures = dict(csv.reader(io.StringIO((await summary.text()).lstrip("\ufeff"))))
    assert figures["answered"] == "2" and figures["response_rate"] == "1.000"
    trend = await console.client.get("/console/statistics/trend.csv?days=30")
    rows = list(csv.reader(io.StringIO((await trend.text()).lstrip("\ufeff"))))
    assert rows[0][:2] == ["day_since_session", "symptom"]
    assert rows[1:] == [  # both patients on day 1: mild (1) and moderate (2)
        ["1", symptom, "1.50", "2"] for symptom in ("redness", "swelling", "bruising")
    ]
    by_practitioner = await console.client.get("/console/statistics/practitioners.csv")
    cells = [c for row in csv.reader(io.StringIO(await by_practitioner.text())) for c in row]
    assert not any(cell.startswith("=") for cell in cells)  # neutralised for spreadsheets
    assert any(FORMULA in cell for cell in cells)
    assert (await console.client.get("/console/statistics/secrets.csv")).status == 404


async def test_a_window_without_check_ins_says_so_and_draws_nothing(console: Console) -> None:
    await console.signed_in()
    page = await console.page("/console/statistics?days=7")
    assert "No check-ins in the last 7 days." in page
    assert "data:image/png" not in page


async def test_time_to_acknowledge_is_charted_and_each_incident_counted_once(
    console: Console,
) -> None:
    anna = await console.linked_patient("Anna", 5001)
    vera = await console.linked_patient("Vera", 5002)
    first = await console.incident(anna)
    await console.incident(vera)
    console.clock.advance(timedelta(minutes=10))
    await console.signed_in()
    csrf = re.search(r'name="csrf" value="([^"]+)"', await console.page("/console/incidents"))
    assert csrf is not None
    acknowledged = await console.client.post(
        f"/console/incidents/{first}/acknowledge", data={"csrf": csrf[1]}
    )
    assert acknowledged.status == 200
    page = await console.page("/console/statistics?days=30")
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 1  # no check-ins yet
    bands = await console.client.get("/console/statistics/acknowledge.csv?days=30")
    rows = list(csv.reader(io.StringIO((await bands.text()).lstrip("\ufeff"))))
    assert rows == [
        ["within_minutes", "incidents"],
        ["5", "0"],
        ["15", "1"],
        ["30", "0"],
        ["60", "0"],
        ["240", "0"],
        ["longer", "0"],
        ["not_yet", "1"],
    ]
    response = await console.client.get("/console/statistics/response.csv?days=30")
    assert (await response.text()).lstrip("\ufeff").splitlines() == [
        "state,check_ins",
        "answered,0",
        "missed,0",
        "open,0",
    ]

"""The FHIR export through the API (clinical scope): a Bundle that fhir.resources validates,
whose every reference resolves inside it, whose answers all name an item of the published
Questionnaire, with patients by code only and the erased absent; a bookings key is refused."""

from datetime import timedelta
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from aftercare_bot.clock import ManualClock
from aftercare_bot.domain.api_keys import ApiScope
from aftercare_bot.domain.check_in_steps import Step
from aftercare_bot.domain.incidents import IncidentOutcome
from aftercare_bot.domain.privacy import DeleteMode
from aftercare_bot.domain.triage import TriageRules
from aftercare_bot.services.check_ins import CheckInTiming
from aftercare_bot.services.patient_check_ins import PatientCheckIns
from aftercare_bot.services.retention import forget
from tests.web.conftest import ADMIN, NOW, Console
from tests.web.test_api import call, key_for


async def severe_check_in_with_fever(console: Console, chat_id: int) -> None:
    timing = CheckInTiming(nudge_after=timedelta(hours=8), expire_after=timedelta(hours=24))
    clock = ManualClock(NOW + timedelta(days=1))
    check_ins = PatientCheckIns(console.database, TriageRules(), timing, clock)
    started = await check_ins.start(chat_id)
    assert started is not None
    for step, level in ((Step.REDNESS, "severe"), (Step.SWELLING, "mild"), (Step.BRUISING, "none")):
        await check_ins.tap(started.check_in_id, step, level, chat_id)
    await check_ins.tap(started.check_in_id, Step.SIGNS, "fever", chat_id)
    await check_ins.tap(started.check_in_id, Step.SIGNS, "done", chat_id)
    await check_ins.tap(started.check_in_id, Step.PHOTO, "skip", chat_id)
    await check_ins.tap(started.check_in_id, Step.NOTE, "skip", chat_id)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def references(node: Any) -> list[str]:
    """Every `reference` anywhere in a resource."""
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in references(value)]
    return []


async def test_the_bundle_is_valid_its_references_resolve_and_the_erased_are_absent(
    console: Console,
) -> None:
    anna = await console.linked_patient("Anna", 5001)
    gone = await console.linked_patient("Olga", 5003)
    await severe_check_in_with_fever(console, 5001)
    incident_id = await console.incident(anna)
    console.clock.advance(timedelta(days=2))
    incidents = console.deps.incidents
    await incidents.acknowledge(incident_id, ADMIN, "Grey")
    await incidents.resolve(incident_id, ADMIN, "Grey", IncidentOutcome.PHONED)
    assert await console.deps.requests.set_appointment(
        anna.id or 0, console.clock.now() + timedelta(weeks=3), ADMIN
    )
    async with console.database.unit_of_work() as uow:
        olga = await uow.patients.by_code(gone.code)
        assert olga is not None
        await forget(uow, olga, DeleteMode.ERASE, console.clock.now(), "on request")
        await uow.commit()

    clinical = await key_for(console, ApiScope.CLINICAL)
    response = await console.client.get("/api/v1/export/fhir", headers=clinical)
    assert response.status == 200
    assert response.content_type == "application/fhir+json"
    bundle = await response.json()
    Bundle.model_validate(bundle)  # fhir.resources accepts it as R4B
    urls = {entry["fullUrl"] for entry in bundle["entry"]}
    assert all(ref in urls for entry in bundle["entry"] for ref in references(entry["resource"]))

    [patient] = resources(bundle, "Patient")
    assert patient["identifier"][0]["value"] == anna.code
    assert set(patient) <= {"resourceType", "identifier", "communication"}  # no name, no chat
    assert gone.code not in str(bundle) and "Anna" not in str(bundle)

    [questionnaire] = resources(bundle, "Questionnaire")
    items = {item["linkId"] for item in questionnaire["item"]}
    [response_] = resources(bundle, "QuestionnaireResponse")
    assert response_["questionnaire"] == questionnaire["url"]
    assert {item["linkId"] for item in response_["item"]} <= items
    levels = {
        o["code"]["coding"][0]["code"]: o["valueCodeableConcept"]["coding"][0]["code"]
        for o in resources(bundle, "Observation")
    }
    assert levels == {"redness": "severe", "swelling": "mild", "bruising": "none"}
    [flag] = resources(bundle, "Flag")
    assert flag["code"]["coding"][0]["code"] == "fever"
    [task] = resources(bundle, "Task")
    assert (task["status"], task["priority"]) == ("completed", "urgent")
    assert task["output"][0]["valueCodeableConcept"]["coding"][0]["code"] == "phoned"
    [appointment] = resources(bundle, "Appointment")
    assert appointment["status"] == "booked"
    [consent] = resources(bundle, "Consent")
    assert (consent["status"], consent["provision"]["type"]) == ("active", "permit")

    bookings = await key_for(console, ApiScope.BOOKINGS)
    status, refused = await call(console, "GET", "/api/v1/export/fhir", bookings)
    assert (status, refused["error"]["code"]) == (403, "forbidden")
    status, bad = await call(console, "GET", "/api/v1/export/fhir?since=someday", clinical)
    assert (status, bad["error"]["field"]) == (422, "since")
    async with console.database.unit_of_work() as uow:
        assert "export.fhir" in [e.action for e in await uow.audit.since(NOW)]

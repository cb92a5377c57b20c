"""The clinic's records as a FHIR R4B Bundle (a `collection`), built and validated with
fhir.resources, for an electronic health record or a registry to import.

- `Patient` by code only (an identifier; no name, no chat, no phone).
- The published `Questionnaire` of the check-in, and a `QuestionnaireResponse` per answered
  check-in against it (every answer's linkId is one of its items).
- An `Observation` per symptom level, derived from its response.
- A `Flag` per warning sign ticked.
- A `Task` per incident: requested, in progress once acknowledged, completed with its outcome.
- An `Appointment` for each next appointment booked.
- A `Consent` per patient: active while she agreed to the follow-up, inactive after a stop.

Every reference is a `urn:uuid:` of a resource in the same bundle; the ids are made from the
records' own (uuid5), so the same records give the same bundle.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from aftercare_bot import __version__
from aftercare_bot.domain.check_in_answers import Level, Symptom, WarningSign, stored_answers
from aftercare_bot.domain.check_ins import CheckInState
from aftercare_bot.domain.clinical_records import ClinicalRecords, RecordIncident, RecordPatient
from aftercare_bot.domain.consent import ConsentChange
from aftercare_bot.domain.statistics import CheckInRow

BASE = "https://aftercare-bot.example/fhir"
QUESTIONNAIRE_URL = f"{BASE}/Questionnaire/scalp-check-in"
CODE_SYSTEM = f"{BASE}/CodeSystem"
PATIENT_CODE_SYSTEM = f"{BASE}/patient-code"
_NAMESPACE = uuid.UUID("5d1c9a3e-6c55-4c8e-9b3e-2f0b6f8a1c11")
_ACTIVE = (ConsentChange.ACCEPTED, ConsentChange.RESUMED)
_TASK_STATUS = {"open": "requested", "acknowledged": "in-progress", "resolved": "completed"}
_SYMPTOM_TEXT = {
    Symptom.REDNESS: "Redness at the injection sites",
    Symptom.SWELLING: "Swelling at the injection sites",
    Symptom.BRUISING: "Bruising at the injection sites",
}
_SIGN_TEXT = {
    WarningSign.FEVER: "Fever or feeling unwell",
    WarningSign.DISCHARGE: "Pus, discharge or warmth at the injection sites",
    WarningSign.PAIN: "Pain that is getting worse",
    WarningSign.SPREADING: "Redness spreading beyond the injection sites",
    WarningSign.PIGMENT: "New dark or light patches of skin",
    WarningSign.OTHER: "Something else (see the note)",
}


def _urn(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(map(str, parts)))}"


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": f"{CODE_SYSTEM}/{system}", "code": code}
    return {**coding, "display": display} if display else coding


def _when(moment: datetime) -> str:
    return moment.isoformat()


def questionnaire() -> dict[str, Any]:
    """The check-in as a Questionnaire: three symptoms, the warning signs, a note."""
    levels = [{"valueCoding": _coding("level", level.key)} for level in Level]
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "version": __version__,
        "name": "ScalpMesotherapyCheckIn",
        "title": "Scalp mesotherapy aftercare check-in",
        "status": "active",
        "subjectType": ["Patient"],
        "item": [
            *(
                {
                    "linkId": symptom.value,
                    "text": _SYMPTOM_TEXT[symptom],
                    "type": "choice",
                    "answerOption": levels,
                }
                for symptom in Symptom
            ),
            {
                "linkId": "signs",
                "text": "Warning signs",
                "type": "choice",
                "repeats": True,
                "answerOption": [
                    {"valueCoding": _coding("warning-sign", sign.value, _SIGN_TEXT[sign])}
                    for sign in WarningSign
                ],
            },
            {"linkId": "note", "text": "Anything else", "type": "text"},
        ],
    }


def fhir_bundle(records: ClinicalRecords, now: datetime) -> dict[str, Any]:
    """The records as a validated FHIR R4B Bundle, as JSON-ready data.

    Raises:
        pydantic.ValidationError: a resource fhir.resources refuses (a defect of this module).
    """
    from fhir.resources.R4B.bundle import Bundle  # heavy: only when an export is asked for

    entries: list[tuple[str, dict[str, Any]]] = [(_urn("questionnaire"), questionnaire())]
    patients = {patient.patient_id: _urn("patient", patient.code) for patient in records.patients}
    for patient in records.patients:
        entries.extend(_patient_entries(patient, patients[patient.patient_id]))
    for row in records.check_ins:
        if row.patient_id in patients:
            entries.extend(_check_in_entries(row, patients[row.patient_id]))
    for incident in records.incidents:
        if incident.patient_id in patients:
            entries.append(_task(incident, patients[incident.patient_id]))
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(_NAMESPACE, f"bundle/{now.isoformat()}")),
        "type": "collection",
        "timestamp": _when(now),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
    validated = Bundle.model_validate(bundle)
    data: dict[str, Any] = validated.model_dump(mode="json", exclude_none=True)
    return data


def _patient_entries(patient: RecordPatient, ref: str) -> Iterable[tuple[str, dict[str, Any]]]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": PATIENT_CODE_SYSTEM, "value": patient.code}],
    }
    if patient.language:
        resource["communication"] = [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": patient.language}]}}
        ]
    yield ref, resource
    if patient.consents:
        last, at = patient.consents[-1]
        yield _urn("consent", patient.code), {
            "resourceType": "Consent",
            "status": "active" if last in _ACTIVE else "inactive",
            "scope": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                "code": "treatment",
            }]},
            "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
            "patient": {"reference": ref},
            "dateTime": _when(at),
            "policyRule": {"text": "Aftercare follow-up by Telegram after scalp mesotherapy"},
            "provision": {"type": "permit" if last in _ACTIVE else "deny"},
        }  # fmt: skip
    if patient.next_appointment_at is not None:
        yield (
            _urn("appointment", patient.code, patient.next_appointment_at.isoformat()),
            {
                "resourceType": "Appointment",
                "status": "booked",
                "description": "Next mesotherapy session",
                "start": _when(patient.next_appointment_at),
                "participant": [{"actor": {"reference": ref}, "status": "accepted"}],
            },
        )


def _check_in_entries(row: CheckInRow, patient: str) -> Iterable[tuple[str, dict[str, Any]]]:
    if row.state != CheckInState.ANSWERED or row.answered_at is None:
        return
    answers = stored_answers(row.answers)
    response_ref = _urn("response", row.patient_code, row.opened_at.isoformat())
    items: list[dict[str, Any]] = [
        {
            "linkId": symptom.value,
            "answer": [{"valueCoding": _coding("level", level.key)}],
        }
        for symptom, level in answers.levels.items()
    ]
    if answers.signs:
        items.append({
            "linkId": "signs",
            "answer": [
                {"valueCoding": _coding("warning-sign", sign.value, _SIGN_TEXT[sign])}
                for sign in WarningSign
                if sign in answers.signs
            ],
        })  # fmt: skip
    if answers.note:
        items.append({"linkId": "note", "answer": [{"valueString": answers.note}]})
    answered = _when(row.answered_at)
    yield (
        response_ref,
        {
            "resourceType": "QuestionnaireResponse",
            "questionnaire": QUESTIONNAIRE_URL,
            "status": "completed",
            "subject": {"reference": patient},
            "authored": answered,
            "item": items,
        },
    )
    for symptom, level in answers.levels.items():
        yield (
            _urn("observation", row.patient_code, row.opened_at.isoformat(), symptom),
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {
                    "coding": [_coding("symptom", symptom.value)],
                    "text": _SYMPTOM_TEXT[symptom],
                },
                "subject": {"reference": patient},
                "effectiveDateTime": answered,
                "valueCodeableConcept": {"coding": [_coding("level", level.key)]},
                "derivedFrom": [{"reference": response_ref}],
            },
        )
    for sign in WarningSign:
        if sign in answers.signs:
            yield (
                _urn("flag", row.patient_code, row.opened_at.isoformat(), sign),
                {
                    "resourceType": "Flag",
                    "status": "active",
                    "code": {"coding": [_coding("warning-sign", sign.value, _SIGN_TEXT[sign])]},
                    "subject": {"reference": patient},
                    "period": {"start": answered},
                },
            )


def _task(incident: RecordIncident, patient: str) -> tuple[str, dict[str, Any]]:
    task: dict[str, Any] = {
        "resourceType": "Task",
        "status": _TASK_STATUS.get(incident.state, "requested"),
        "intent": "order",
        "priority": "urgent" if incident.urgency == "urgent" else "routine",
        "description": f"{incident.urgency.capitalize()} aftercare incident",
        "for": {"reference": patient},
        "authoredOn": _when(incident.opened_at),
    }
    last = incident.resolved_at or incident.acknowledged_at
    if last is not None:
        task["lastModified"] = _when(last)
    if incident.outcome:
        task["output"] = [{
            "type": {"text": "outcome"},
            "valueCodeableConcept": {"coding": [_coding("incident-outcome", incident.outcome)]},
        }]  # fmt: skip
    return _urn("incident", incident.incident_id), task

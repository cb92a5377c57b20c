"""Finding the patient a staff command names, by code or by (part of) a name."""

from collections.abc import Sequence
from dataclasses import dataclass

from aftercare_bot.domain.patients import Patient, looks_like_code, normalise_code
from aftercare_bot.services.ports import UnitOfWork


@dataclass(frozen=True)
class Lookup:
    """The patient found, or the candidates when the name is ambiguous (possibly none)."""

    patient: Patient | None
    candidates: Sequence[Patient] = ()


async def find_patient(uow: UnitOfWork, query: str) -> Lookup:
    """A code names one patient; a name may match several."""
    if looks_like_code(query):
        patient = await uow.patients.by_code(normalise_code(query))
        if patient is not None:
            return Lookup(patient)
    matches = await uow.patients.matching(query)
    exact = [p for p in matches if p.display_name.casefold() == query.strip().casefold()]
    if len(matches) == 1:
        return Lookup(matches[0])
    if len(exact) == 1 and len(matches) == 1:
        return Lookup(exact[0])
    return Lookup(None, matches)

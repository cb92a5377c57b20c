"""The fake of `ClinicListsRepository`."""

import dataclasses
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from aftercare_bot.domain.clinic_lists import Batch, Practitioner, Product
from tests.fakes.store import FakeSession

Entry = TypeVar("Entry", Practitioner, Product)


class FakeClinicListsRepository:
    """Practitioners, products and batches by id, in memory."""

    def __init__(self, session: FakeSession) -> None:
        self._session = session

    def _add(self, table: str, entry: Entry) -> Entry:
        rows = self._session.table(table)
        listed = next((row for row in rows.values() if row.name == entry.name), None)
        if listed is not None:
            return listed  # type: ignore[no-any-return]
        entry.id = self._session.new_id(table)
        rows[entry.id] = dataclasses.replace(entry)
        return entry

    def _set_active(self, table: str, entry_id: int, active: bool) -> bool:
        rows = self._session.table(table)
        if entry_id not in rows:
            return False
        rows[entry_id] = dataclasses.replace(rows[entry_id], active=active)
        return True

    def _sessions(self) -> list[Any]:
        return list(self._session.table("treatment_sessions").values())

    async def practitioners(self) -> Sequence[Practitioner]:
        """Every practitioner, by name."""
        return sorted(self._session.table("practitioners").values(), key=lambda p: p.name)

    async def add_practitioner(self, practitioner: Practitioner) -> Practitioner:
        """Store a new practitioner."""
        return self._add("practitioners", practitioner)

    async def set_practitioner_active(self, practitioner_id: int, active: bool) -> bool:
        """Offer the practitioner again, or no longer."""
        return self._set_active("practitioners", practitioner_id, active)

    async def merge_practitioners(self, merged: Practitioner, into: Practitioner) -> int:
        """`merged` becomes `into` on every patient and session, then leaves the list."""
        moved = 0
        for table in ("treatment_sessions", "patients"):
            rows = self._session.table(table)
            for key, row in list(rows.items()):
                if row.practitioner == merged.name:
                    row.practitioner = into.name  # this unit's copy: kept on commit
                    rows[key] = row
                    moved += table == "treatment_sessions"
        del self._session.table("practitioners")[merged.id]
        return moved

    async def practitioner_use(self) -> dict[str, int]:
        """How many sessions each practitioner's name is on."""
        return dict(Counter(session.practitioner for session in self._sessions()))

    async def products(self) -> Sequence[Product]:
        """Every product, by name."""
        return sorted(self._session.table("products").values(), key=lambda p: p.name)

    async def add_product(self, product: Product) -> Product:
        """Store a new product."""
        return self._add("products", product)

    async def set_product_active(self, product_id: int, active: bool) -> bool:
        """Offer the product again, or no longer."""
        return self._set_active("products", product_id, active)

    async def merge_products(self, merged: Product, into: Product) -> int:
        """`merged` becomes `into` on every session, its batches join `into`'s."""
        sessions = self._session.table("treatment_sessions")
        moved = 0
        for key, row in list(sessions.items()):
            if row.product == merged.name:
                row.product = into.name
                sessions[key] = row
                moved += 1
        lots = self._session.table("batches")
        kept = {batch.lot for batch in lots.values() if batch.product_id == into.id}
        for key, batch in list(lots.items()):
            if batch.product_id == merged.id:
                if batch.lot in kept:
                    del lots[key]
                else:
                    lots[key] = dataclasses.replace(batch, product_id=into.id)
        del self._session.table("products")[merged.id]
        return moved

    async def product_use(self) -> dict[str, int]:
        """How many sessions each product's name is on."""
        return dict(Counter(s.product for s in self._sessions() if s.product is not None))

    async def batches(self) -> Sequence[Batch]:
        """Every batch, by lot."""
        return sorted(self._session.table("batches").values(), key=lambda b: (b.lot, b.id))

    async def add_batch(self, batch: Batch) -> Batch:
        """Store a new batch."""
        rows = self._session.table("batches")
        for listed in rows.values():
            if (listed.product_id, listed.lot) == (batch.product_id, batch.lot):
                return listed  # type: ignore[no-any-return]
        batch.id = self._session.new_id("batches")
        rows[batch.id] = dataclasses.replace(batch)
        return batch

    async def set_batch_expiry(self, batch_id: int, expires_on: date | None) -> None:
        """Give a batch its expiry date."""
        rows = self._session.table("batches")
        rows[batch_id] = dataclasses.replace(rows[batch_id], expires_on=expires_on)

    async def set_batch_active(self, batch_id: int, active: bool) -> bool:
        """Offer the batch again, or no longer."""
        return self._set_active("batches", batch_id, active)

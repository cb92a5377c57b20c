"""The clinic's practitioners, products and batches; a merge rewrites the merged name where
patients and sessions carry it."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import RowMapping, Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftercare_bot.adapters.persistence.insert_once import insert_once
from aftercare_bot.adapters.persistence.tables import (
    batches,
    patients,
    practitioners,
    products,
    treatment_sessions,
)
from aftercare_bot.domain.clinic_lists import Batch, Practitioner, Product


class ClinicListsRepository:
    """Practitioners, products and their batches."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def practitioners(self) -> Sequence[Practitioner]:
        """Every practitioner, active or not, by name."""
        rows = await self._session.execute(select(practitioners).order_by(practitioners.c.name))
        return [_practitioner(row) for row in rows.mappings()]

    async def add_practitioner(self, practitioner: Practitioner) -> Practitioner:
        """List a practitioner; the one listed under that exact name when there is one (two
        enrollments naming a new practitioner at once both succeed, and list it once)."""
        await self._insert_once(
            practitioners,
            {"name": practitioner.name, "added_at": practitioner.added_at},
            ["name"],
        )
        row = await self._session.execute(
            select(practitioners).where(practitioners.c.name == practitioner.name)
        )
        return _practitioner(row.mappings().one())

    async def set_practitioner_active(self, practitioner_id: int, active: bool) -> bool:
        """Offer the practitioner again, or no longer; False when there is none."""
        changed = await self._session.execute(
            update(practitioners).where(practitioners.c.id == practitioner_id).values(active=active)
        )
        return bool(getattr(changed, "rowcount", 0))

    async def merge_practitioners(self, merged: Practitioner, into: Practitioner) -> int:
        """`merged` becomes `into` on every patient and session, then leaves the list; how
        many sessions it had."""
        moved = await self._session.execute(
            update(treatment_sessions)
            .where(treatment_sessions.c.practitioner == merged.name)
            .values(practitioner=into.name)
        )
        await self._session.execute(
            update(patients)
            .where(patients.c.practitioner == merged.name)
            .values(practitioner=into.name)
        )
        await self._session.execute(delete(practitioners).where(practitioners.c.id == merged.id))
        return int(getattr(moved, "rowcount", 0))

    async def practitioner_use(self) -> dict[str, int]:
        """How many sessions each practitioner's name is on."""
        rows = await self._session.execute(
            select(treatment_sessions.c.practitioner, func.count()).group_by(
                treatment_sessions.c.practitioner
            )
        )
        return {name: count for name, count in rows.all()}

    async def products(self) -> Sequence[Product]:
        """Every product, active or not, by name."""
        rows = await self._session.execute(select(products).order_by(products.c.name))
        return [_product(row) for row in rows.mappings()]

    async def add_product(self, product: Product) -> Product:
        """List a product; the one listed under that exact name when there is one."""
        await self._insert_once(
            products, {"name": product.name, "added_at": product.added_at}, ["name"]
        )
        row = await self._session.execute(select(products).where(products.c.name == product.name))
        return _product(row.mappings().one())

    async def set_product_active(self, product_id: int, active: bool) -> bool:
        """Offer the product again, or no longer; False when there is none."""
        changed = await self._session.execute(
            update(products).where(products.c.id == product_id).values(active=active)
        )
        return bool(getattr(changed, "rowcount", 0))

    async def merge_products(self, merged: Product, into: Product) -> int:
        """`merged` becomes `into` on every session, its batches join `into`'s (a lot both
        have stays once), then it leaves the list; how many sessions it had."""
        moved = await self._session.execute(
            update(treatment_sessions)
            .where(treatment_sessions.c.product == merged.name)
            .values(product=into.name)
        )
        lots = set(
            (
                await self._session.execute(
                    select(batches.c.lot).where(batches.c.product_id == into.id)
                )
            ).scalars()
        )
        await self._session.execute(
            delete(batches).where(batches.c.product_id == merged.id, batches.c.lot.in_(lots))
        )
        await self._session.execute(
            update(batches).where(batches.c.product_id == merged.id).values(product_id=into.id)
        )
        await self._session.execute(delete(products).where(products.c.id == merged.id))
        return int(getattr(moved, "rowcount", 0))

    async def product_use(self) -> dict[str, int]:
        """How many sessions each product's name is on."""
        rows = await self._session.execute(
            select(treatment_sessions.c.product, func.count())
            .where(treatment_sessions.c.product.is_not(None))
            .group_by(treatment_sessions.c.product)
        )
        return {name: count for name, count in rows.all()}

    async def batches(self) -> Sequence[Batch]:
        """Every batch of every product, by lot."""
        rows = await self._session.execute(select(batches).order_by(batches.c.lot, batches.c.id))
        return [_batch(row) for row in rows.mappings()]

    async def add_batch(self, batch: Batch) -> Batch:
        """List a batch; the one its product has under that lot when there is one."""
        await self._insert_once(
            batches,
            {"product_id": batch.product_id, "lot": batch.lot, "expires_on": batch.expires_on},
            ["product_id", "lot"],
        )
        row = await self._session.execute(
            select(batches).where(
                batches.c.product_id == batch.product_id, batches.c.lot == batch.lot
            )
        )
        return _batch(row.mappings().one())

    async def _insert_once(self, table: Table, values: dict[str, object], keys: list[str]) -> None:
        """Insert unless a row with the same `keys` exists (decided by the database)."""
        await self._session.execute(insert_once(self._session, table, keys, **values))

    async def set_batch_expiry(self, batch_id: int, expires_on: date | None) -> None:
        """Give a batch its expiry date."""
        await self._session.execute(
            update(batches).where(batches.c.id == batch_id).values(expires_on=expires_on)
        )

    async def set_batch_active(self, batch_id: int, active: bool) -> bool:
        """Offer the batch again, or no longer; False when there is none."""
        changed = await self._session.execute(
            update(batches).where(batches.c.id == batch_id).values(active=active)
        )
        return bool(getattr(changed, "rowcount", 0))


def _practitioner(row: RowMapping) -> Practitioner:
    return Practitioner(row["name"], row["added_at"], row["active"], row["id"])


def _product(row: RowMapping) -> Product:
    return Product(row["name"], row["added_at"], row["active"], row["id"])


def _batch(row: RowMapping) -> Batch:
    return Batch(row["product_id"], row["lot"], row["expires_on"], row["active"], row["id"])

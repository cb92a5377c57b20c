"""The clinic's practitioners and products as lists: offered at enrollment (Telegram, the
console, a CSV import), kept tidy by admins in the console, audited.

Every front end that stores a session calls `listed_practitioner` and `listed_product`: a name
typed that matches an entry becomes that entry's name, a new one joins the list. Sessions and
patients keep the name as text, so statistics and the batch safety signal group by the listed
names; a merge rewrites the merged name everywhere it was stored.
"""

from dataclasses import dataclass
from datetime import date, datetime

from aftercare_bot.domain.audit import AuditEvent
from aftercare_bot.domain.clinic_lists import (
    Batch,
    Practitioner,
    Product,
    matching,
    near_duplicates,
)
from aftercare_bot.services.ports import Clock, UnitOfWork, UnitsOfWork

# A listed name or lot is at most this long (the sessions' columns hold as much).
NAME_LIMIT = 64


@dataclass(frozen=True)
class ListedProduct:
    """A product with its batches and how many sessions name it."""

    product: Product
    uses: int
    batches: tuple[Batch, ...]


@dataclass(frozen=True)
class ClinicListsOverview:
    """What the lists page shows."""

    practitioners: tuple[tuple[Practitioner, int], ...]
    products: tuple[ListedProduct, ...]
    practitioner_pairs: tuple[tuple[Practitioner, Practitioner], ...]
    product_pairs: tuple[tuple[Product, Product], ...]


@dataclass(frozen=True)
class ProductChoice:
    """A product as enrollment offers it: with one of its usable batches, or alone when it
    has none; `key` names it on a button ("b12" a batch, "r3" a product alone)."""

    product: str
    lot: str | None
    key: str

    @property
    def label(self) -> str:
        """As staff read it, and as /enroll takes it typed: "Product, LOT"."""
        return f"{self.product}, {self.lot}" if self.lot else self.product


@dataclass(frozen=True)
class Offered:
    """What enrollment offers: the active practitioners, and the active products with their
    usable batches."""

    practitioners: tuple[Practitioner, ...]
    products: tuple[ProductChoice, ...]

    def practitioner(self, key: str) -> str | None:
        """The name a button's key ("p7") stands for, if still offered."""
        return next((p.name for p in self.practitioners if f"p{p.id}" == key), None)

    def product(self, key: str) -> ProductChoice | None:
        """The product (and batch) a button's key stands for, if still offered."""
        return next((choice for choice in self.products if choice.key == key), None)


def clean_name(text: str) -> str:
    """A name as it is listed: spaces collapsed, at most `NAME_LIMIT` characters."""
    return " ".join(text.split())[:NAME_LIMIT]


async def listed_practitioner(uow: UnitOfWork, typed: str, now: datetime) -> str:
    """The listed name `typed` stands for; a new name joins the list as it is written."""
    name = clean_name(typed)
    listed = await uow.clinic_lists.practitioners()
    found = matching(name, [entry.name for entry in listed])
    if found is not None:
        return found
    if name:
        await uow.clinic_lists.add_practitioner(Practitioner(name, now))
    return name


async def listed_product(
    uow: UnitOfWork, typed_product: str | None, typed_batch: str | None, now: datetime
) -> tuple[str | None, str | None]:
    """The listed product and lot the typed ones stand for; new ones join the lists."""
    if not typed_product or not clean_name(typed_product):
        return None, clean_name(typed_batch or "") or None
    lists = uow.clinic_lists
    name = clean_name(typed_product)
    known = await lists.products()
    found = matching(name, [entry.name for entry in known])
    product = next((entry for entry in known if entry.name == found), None)
    if product is None:
        product = await lists.add_product(Product(name, now))
    lot = clean_name(typed_batch or "")
    if not lot:
        return product.name, None
    lots = [batch for batch in await lists.batches() if batch.product_id == product.id]
    same = next((batch for batch in lots if batch.lot.casefold() == lot.casefold()), None)
    if same is not None:
        return product.name, same.lot
    assert product.id is not None
    await lists.add_batch(Batch(product.id, lot))
    return product.name, lot


@dataclass(frozen=True)
class ClinicLists:
    """Admins keeping the lists; anyone enrolling reading what they offer."""

    units: UnitsOfWork
    clock: Clock

    async def offered(self, today: date) -> Offered:
        """The choices enrollment offers today."""
        async with self.units.unit_of_work() as uow:
            practitioners = await uow.clinic_lists.practitioners()
            products = await uow.clinic_lists.products()
            batches = await uow.clinic_lists.batches()
        choices: list[ProductChoice] = []
        for product in products:
            if not product.active:
                continue
            lots = [b for b in batches if b.product_id == product.id and b.usable(today)]
            choices.extend(ProductChoice(product.name, b.lot, f"b{b.id}") for b in lots)
            if not lots:
                choices.append(ProductChoice(product.name, None, f"r{product.id}"))
        return Offered(tuple(entry for entry in practitioners if entry.active), tuple(choices))

    async def overview(self) -> ClinicListsOverview:
        """Every entry with its use, and the pairs that are probably one."""
        async with self.units.unit_of_work() as uow:
            lists = uow.clinic_lists
            practitioners = await lists.practitioners()
            practitioner_use = await lists.practitioner_use()
            products = await lists.products()
            product_use = await lists.product_use()
            batches = await lists.batches()
        by_practitioner = {entry.name: entry for entry in practitioners}
        by_product = {entry.name: entry for entry in products}
        return ClinicListsOverview(
            practitioners=tuple(
                (entry, practitioner_use.get(entry.name, 0)) for entry in practitioners
            ),
            products=tuple(
                ListedProduct(
                    entry,
                    product_use.get(entry.name, 0),
                    tuple(batch for batch in batches if batch.product_id == entry.id),
                )
                for entry in products
            ),
            practitioner_pairs=tuple(
                (by_practitioner[a], by_practitioner[b])
                for a, b in near_duplicates(list(by_practitioner))
            ),
            product_pairs=tuple(
                (by_product[a], by_product[b]) for a, b in near_duplicates(list(by_product))
            ),
        )

    async def add_practitioner(self, user_id: int, typed: str) -> str | None:
        """List a practitioner; the listed name (an existing one when it matches), or None
        for a name with nothing in it."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            name = await listed_practitioner(uow, typed, now)
            if not name:
                return None
            await self._audit(uow, user_id, "lists.practitioner_added", name)
            await uow.commit()
        return name

    async def add_batch(
        self, user_id: int, product: str, lot: str, expires_on: date | None
    ) -> tuple[str, str | None] | None:
        """List a product, with a batch when `lot` is given; None without a product name."""
        now = self.clock.now()
        async with self.units.unit_of_work() as uow:
            listed_name, listed_lot = await listed_product(uow, product, lot, now)
            if listed_name is None:
                return None
            if listed_lot is not None and expires_on is not None:
                await self._expire(uow, listed_name, listed_lot, expires_on)
            detail = f"{listed_name} {listed_lot or ''}".strip()
            await self._audit(uow, user_id, "lists.product_added", detail)
            await uow.commit()
        return listed_name, listed_lot

    async def _expire(self, uow: UnitOfWork, product: str, lot: str, expires_on: date) -> None:
        """Give a listed batch its expiry (a batch listed again keeps the latest given)."""
        lists = uow.clinic_lists
        listed = next(entry for entry in await lists.products() if entry.name == product)
        for batch in await lists.batches():
            if batch.product_id == listed.id and batch.lot == lot and batch.id is not None:
                await lists.set_batch_expiry(batch.id, expires_on)

    async def set_active(self, user_id: int, kind: str, entry_id: int, active: bool) -> bool:
        """Offer an entry again, or no longer (`kind`: practitioner, product or batch)."""
        async with self.units.unit_of_work() as uow:
            lists = uow.clinic_lists
            setter = {
                "practitioner": lists.set_practitioner_active,
                "product": lists.set_product_active,
                "batch": lists.set_batch_active,
            }.get(kind)
            if setter is None or not await setter(entry_id, active):
                return False
            action = f"lists.{kind}_{'offered' if active else 'withdrawn'}"
            await self._audit(uow, user_id, action, str(entry_id))
            await uow.commit()
        return True

    async def merge_practitioners(
        self, user_id: int, merged_id: int, into_id: int
    ) -> tuple[str, str, int] | None:
        """Merge one practitioner into another: (merged name, kept name, sessions moved), or
        None when either is gone or they are one."""
        async with self.units.unit_of_work() as uow:
            listed = {entry.id: entry for entry in await uow.clinic_lists.practitioners()}
            merged, into = listed.get(merged_id), listed.get(into_id)
            if merged is None or into is None or merged_id == into_id:
                return None
            moved = await uow.clinic_lists.merge_practitioners(merged, into)
            await self._audit(
                uow, user_id, "lists.practitioners_merged", f"{merged.name} → {into.name}"
            )
            await uow.commit()
        return merged.name, into.name, moved

    async def merge_products(
        self, user_id: int, merged_id: int, into_id: int
    ) -> tuple[str, str, int] | None:
        """Merge one product into another, batches included: as `merge_practitioners`."""
        async with self.units.unit_of_work() as uow:
            listed = {entry.id: entry for entry in await uow.clinic_lists.products()}
            merged, into = listed.get(merged_id), listed.get(into_id)
            if merged is None or into is None or merged_id == into_id:
                return None
            moved = await uow.clinic_lists.merge_products(merged, into)
            await self._audit(uow, user_id, "lists.products_merged", f"{merged.name} → {into.name}")
            await uow.commit()
        return merged.name, into.name, moved

    async def _audit(self, uow: UnitOfWork, user_id: int, action: str, detail: str) -> None:
        await uow.audit.record(
            AuditEvent(
                occurred_at=self.clock.now(),
                action=action,
                actor_telegram_id=user_id,
                detail=detail[:512],
            )
        )

"""The clinic's practitioners and products (with batches) as lists, filled from the names
sessions and patients already carry, by exact match (near-duplicates are merged by admins on
the console's Lists page, never here).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from aftercare_bot.adapters.persistence.types import UtcDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    practitioners = op.create_table(
        "practitioners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioners")),
        sa.UniqueConstraint("name", name=op.f("uq_practitioners_name")),
    )
    products = op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("name", name=op.f("uq_products_name")),
    )
    batches = op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_batches_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("product_id", "lot", name="uq_batches_product_id_lot"),
    )
    assert practitioners is not None and products is not None and batches is not None
    _fill(practitioners, products, batches)


def _fill(practitioners: sa.Table, products: sa.Table, batches: sa.Table) -> None:
    """Every name in use becomes an entry, exactly as written."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    patients = sa.table("patients", sa.column("practitioner", sa.String))
    sessions = sa.table(
        "treatment_sessions",
        sa.column("practitioner", sa.String),
        sa.column("product", sa.String),
        sa.column("batch", sa.String),
    )
    names = {
        name
        for (name,) in bind.execute(
            sa.union(sa.select(patients.c.practitioner), sa.select(sessions.c.practitioner))
        )
        if name and name.strip()
    }
    if names:
        op.bulk_insert(practitioners, [{"name": n, "added_at": now} for n in sorted(names)])
    used = sorted(
        {
            (product, batch)
            for product, batch in bind.execute(
                sa.select(sessions.c.product, sessions.c.batch).distinct()
            )
            if product and product.strip()
        }
    )
    product_names = sorted({product for product, _batch in used})
    if product_names:
        op.bulk_insert(products, [{"name": n, "added_at": now} for n in product_names])
    ids = dict(bind.execute(sa.select(products.c.name, products.c.id)).all())
    lots = [
        {"product_id": ids[product], "lot": batch}
        for product, batch in used
        if batch and batch.strip()
    ]
    if lots:
        op.bulk_insert(batches, lots)


def downgrade() -> None:
    op.drop_table("batches")
    op.drop_table("products")
    op.drop_table("practitioners")

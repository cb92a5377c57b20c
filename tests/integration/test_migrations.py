import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from aftercare_bot.adapters.persistence import migrate, tables
from aftercare_bot.adapters.persistence.tables import metadata
from aftercare_bot.adapters.persistence.urls import sync_url
from aftercare_bot.domain.patients import PatientStatus


def table_names(url: str) -> set[str]:
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_an_empty_database_is_migrated_to_exactly_the_tables_the_code_uses(
    empty_database_url: str,
) -> None:
    migrate.upgrade(empty_database_url)
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()
    assert table_names(empty_database_url) == set(metadata.tables)


def test_migrating_twice_changes_nothing(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    migrate.upgrade(empty_database_url)
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()


def test_every_migration_can_be_undone(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    migrate.downgrade(empty_database_url, "base")
    assert migrate.current_revision(empty_database_url) is None
    assert table_names(empty_database_url) == set()
    migrate.upgrade(empty_database_url)
    assert table_names(empty_database_url) == set(metadata.tables)


def test_two_instances_starting_together_both_end_up_on_the_current_schema(
    empty_database_url: str,
) -> None:
    script = (
        "import sys; from aftercare_bot.adapters.persistence import migrate; "
        "migrate.upgrade(sys.argv[1])"
    )
    instances = [
        subprocess.Popen([sys.executable, "-c", script, empty_database_url], stderr=subprocess.PIPE)
        for _ in range(5)
    ]
    outcomes = [
        (instance.communicate(timeout=60)[1], instance.returncode) for instance in instances
    ]
    assert outcomes == [(b"", 0)] * 5
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()


def test_the_sqlite_file_and_its_folder_are_created_on_first_use(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "folder"
    migrate.upgrade(f"sqlite:///{folder / 'bot.sqlite3'}")
    assert (folder / "bot.sqlite3").exists()


def test_the_migrations_create_exactly_what_the_tables_describe(empty_database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    migrate.upgrade(empty_database_url)
    engine = create_engine(sync_url(empty_database_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_the_schema_modules_head_is_the_newest_migration() -> None:
    from aftercare_bot.adapters.persistence import schema

    assert migrate.head_revision() == schema.HEAD


def test_bringing_a_database_up_to_date_migrates_only_when_it_is_behind(
    empty_database_url: str,
) -> None:
    from aftercare_bot.adapters.persistence import schema

    assert schema.stored_revision(empty_database_url) is None
    schema.bring_up_to_date(empty_database_url)
    assert schema.stored_revision(empty_database_url) == migrate.head_revision()
    migrate.downgrade(empty_database_url, "0013")
    schema.bring_up_to_date(empty_database_url)
    assert schema.stored_revision(empty_database_url) == schema.HEAD


def test_the_names_already_in_use_become_the_lists_by_exact_match(
    empty_database_url: str,
) -> None:
    """Migration 0021 lists every practitioner, product and batch as written; "Petrova" and
    "Dr Petrova" stay two entries until an admin merges them."""
    migrate.upgrade(empty_database_url, "0020")
    engine = create_engine(sync_url(empty_database_url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
            connection.execute(
                tables.patients.insert().values(
                    id=1,
                    code="P-1",
                    display_name="Anna",
                    timezone="Europe/London",
                    practitioner="Dr Petrova",
                    enrolled_at=at,
                    status=PatientStatus.LINKED,
                )
            )
            connection.execute(
                tables.courses.insert().values(
                    id=1,
                    patient_id=1,
                    plan_name="scalp",
                    sessions_planned=4,
                    spacing=timedelta(weeks=3),
                    started_at=at,
                )
            )
            for number, who, product, batch in [
                (1, "Dr Petrova", "Dermaheal HSR", "LOT-1"),
                (2, "Petrova", "Dermaheal HSR", "LOT-2"),
                (3, "Petrova", "Dermaheal HSR", "LOT-2"),
                (4, "Dr Lee", None, None),
            ]:
                connection.execute(
                    tables.treatment_sessions.insert().values(
                        course_id=1,
                        number=number,
                        held_at=at,
                        practitioner=who,
                        product=product,
                        batch=batch,
                    )
                )
        migrate.upgrade(empty_database_url)
        with engine.connect() as connection:
            practitioners = connection.execute(
                text("SELECT name, active FROM practitioners ORDER BY name")
            ).all()
            lots = connection.execute(
                text(
                    "SELECT products.name, batches.lot FROM batches JOIN products "
                    "ON products.id = batches.product_id ORDER BY batches.lot"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in practitioners] == [
        ("Dr Lee", True),
        ("Dr Petrova", True),
        ("Petrova", True),
    ]
    assert [tuple(row) for row in lots] == [("Dermaheal HSR", "LOT-1"), ("Dermaheal HSR", "LOT-2")]

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from aftercare_bot.adapters.persistence import migrate
from aftercare_bot.adapters.persistence.tables import metadata
from aftercare_bot.adapters.persistence.urls import sync_url


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

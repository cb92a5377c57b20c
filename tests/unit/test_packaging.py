"""A plain `pip install .` must carry every module, text, migration and vendored file."""

import tomllib
from pathlib import Path

REPOSITORY = Path(__file__).parents[2]


def declared_packages() -> set[str]:
    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    return set(pyproject["tool"]["setuptools"]["packages"])


def test_every_python_package_in_the_source_tree_is_declared() -> None:
    found = {
        ".".join(init.parent.relative_to(REPOSITORY).parts)
        for init in (REPOSITORY / "aftercare_bot").rglob("__init__.py")
    }
    # The texts, the simulator's Bot API spec and the console's templates and static files:
    # data-only packages (no __init__.py), declared so that setuptools ships them without
    # warning.
    data_only = {
        "aftercare_bot.messages",
        "aftercare_bot.sandbox.spec",
        "aftercare_bot.adapters.web.templates",
        "aftercare_bot.adapters.web.static",
    }
    assert found | data_only == declared_packages()


def test_texts_and_migrations_are_shipped_as_package_data() -> None:
    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]
    assert data["aftercare_bot.messages"] == ["*.toml"]
    assert (REPOSITORY / "messages" / "__init__.py").exists()
    assert data["aftercare_bot.sandbox.spec"] == ["*"]
    assert (REPOSITORY / "aftercare_bot" / "sandbox" / "spec" / "api.json").exists()
    assert data["aftercare_bot.adapters.web.templates"] == ["*.html"]
    assert data["aftercare_bot.adapters.web.static"] == ["*.css", "*.js"]

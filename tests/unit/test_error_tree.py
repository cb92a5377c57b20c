"""The error tree drawn in domain/errors.py names every error the bot raises on purpose, each
under its real parent, so a newcomer can trust the drawing."""

import importlib
import pkgutil

import aftercare_bot
from aftercare_bot.domain import errors
from aftercare_bot.domain.errors import AftercareError

_BRANCH = "├└│─ "


def _every_subclass(root: type[BaseException]) -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    for child in root.__subclasses__():
        found |= {child, *_every_subclass(child)}
    return found


def _drawn_parents(tree: str) -> dict[str, str]:
    """Each drawn class name and the name of the nearest line above it drawn less deep."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in tree.splitlines():
        name = line.lstrip(_BRANCH).split(" ", 1)[0]
        if "── " not in line and line.strip() != name:
            continue
        depth = len(line) - len(line.lstrip(_BRANCH))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(aftercare_bot.__path__, "aftercare_bot."):
        if any(part in module.name for part in (".sandbox", ".demo", ".migrations")):
            continue
        importlib.import_module(module.name)


def test_the_drawn_tree_names_every_aftercare_error_under_its_parent() -> None:
    _import_every_module()
    drawn = _drawn_parents(errors.__doc__ or "")

    subclasses = _every_subclass(AftercareError)
    assert len(subclasses) > 10
    for error in subclasses:
        parent = next(base for base in error.__bases__ if issubclass(base, AftercareError))
        assert drawn.get(error.__name__) == parent.__name__, (
            f"{error.__name__} should be drawn under {parent.__name__}"
        )

"""The fake database: one dict of rows per table, committed state only.

A fake unit of work works on private copies of these rows and writes back, row by row, only
what it changed when it commits, so an uncommitted unit leaves nothing behind and two units
open at once each see what the other committed, as on a real database at read committed.
"""

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def detached_copy(row: T) -> T:
    """A new object equal to `row` that shares no mutable state with it.

    Built through the constructor, so a class the ORM has instrumented gets a fresh instance
    state rather than a copy of the original's; fields that are not constructor arguments are
    copied after.
    """
    if not dataclasses.is_dataclass(row) or isinstance(row, type):
        return row
    fields = dataclasses.fields(row)
    copy = type(row)(**{f.name: _copied(getattr(row, f.name)) for f in fields if f.init})
    for f in fields:
        if not f.init:
            object.__setattr__(copy, f.name, _copied(getattr(row, f.name)))
    return copy


def _copied(value: Any) -> Any:
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, set):
        return set(value)
    return value


def row_values(row: Any) -> tuple[Any, ...]:
    """What a row holds, for telling whether a unit of work changed it."""
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return tuple(getattr(row, f.name) for f in dataclasses.fields(row))
    return (row,)


@dataclass
class FakeTable:
    """The committed rows of one table by primary key, and the next id it hands out."""

    rows: dict[Any, Any] = field(default_factory=dict)
    last_id: int = 0

    def next_id(self) -> int:
        """A fresh id, never handed out before (as a sequence or SQLite's AUTOINCREMENT)."""
        self.last_id += 1
        return self.last_id


@dataclass
class FakeStore:
    """Every table's committed rows; shared by all the units of work of one fake database."""

    tables: dict[str, FakeTable] = field(default_factory=dict)

    def table(self, name: str) -> FakeTable:
        """The named table, created empty on first use."""
        return self.tables.setdefault(name, FakeTable())

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)


class FakeSession:
    """One unit of work's view of the store: private copies of the rows it touched."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._working: dict[str, dict[Any, Any]] = {}
        self._originals: dict[str, dict[Any, tuple[Any, ...]]] = {}

    def table(self, name: str) -> dict[Any, Any]:
        """This unit's rows of a table by key, copied from the committed rows on first use;
        add, change and delete them freely: nothing is seen by others before `commit`."""
        if name not in self._working:
            committed = self._store.table(name).rows
            self._working[name] = {key: detached_copy(row) for key, row in committed.items()}
            self._originals[name] = {
                key: row_values(row) for key, row in self._working[name].items()
            }
        return self._working[name]

    def committed(self, name: str) -> dict[Any, Any]:
        """The rows other units have committed, for compare-and-set updates that must not
        act on a state this unit read before another unit changed it."""
        return self._store.table(name).rows

    def new_id(self, name: str) -> int:
        """A fresh id for a new row (never reused, even when this unit rolls back)."""
        return self._store.table(name).next_id()

    def commit(self) -> None:
        """Write back every row this unit added, changed or deleted."""
        for name, rows in self._working.items():
            committed = self._store.table(name).rows
            originals = self._originals[name]
            for key, row in rows.items():
                if key not in originals or row_values(row) != originals[key]:
                    committed[key] = detached_copy(row)
            for key in originals.keys() - rows.keys():
                committed.pop(key, None)
            self._originals[name] = {key: row_values(row) for key, row in rows.items()}

"""The fake database: one dict of rows per table, committed state only.

A fake unit of work works on private copies of these rows and writes back, row by row, only
what it changed when it commits, so an uncommitted unit leaves nothing behind and two units
open at once each see what the other committed, as on a real database at read committed.
"""

import dataclasses
import operator
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypeVar

T = TypeVar("T")


def detached_copy(row: T) -> T:
    """A new object equal to `row` that shares no mutable state with it.

    Built through the constructor, so a class the ORM has instrumented gets a fresh instance
    state rather than a copy of the original's; fields that are not constructor arguments are
    copied after.
    """
    shape = _shape(type(row))
    if shape is None:
        return row
    init, later, _every = shape
    copy = type(row)(
        **{name: _copied(value) for name, value in zip(init.names, init(row), strict=True)}
    )
    for name, value in zip(later.names, later(row), strict=True):
        object.__setattr__(copy, name, _copied(value))
    return copy


# Every unit of work copies the rows it reads, so copying is the fake's hot path: each row
# class's field names are worked out once, and values that cannot change are never copied.
_IMMUTABLE = frozenset({int, str, float, bool, bytes, type(None), datetime, date, time})


class _Getter:
    """Reads the named fields of a row at once, as a tuple (operator.attrgetter, in C)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self._get = operator.attrgetter(*names) if names else None

    def __call__(self, row: Any) -> tuple[Any, ...]:
        if self._get is None:
            return ()
        found = self._get(row)
        return found if len(self.names) > 1 else (found,)


_Shape = tuple[_Getter, _Getter, _Getter]
_SHAPES: dict[type, _Shape | None] = {}


def _shape(cls: type) -> _Shape | None:
    """A dataclass's constructor fields, its other fields, and all of them; None otherwise."""
    if cls not in _SHAPES:
        fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else None
        _SHAPES[cls] = (
            None
            if fields is None
            else (
                _Getter(tuple(f.name for f in fields if f.init)),
                _Getter(tuple(f.name for f in fields if not f.init)),
                _Getter(tuple(f.name for f in fields)),
            )
        )
    return _SHAPES[cls]


def _copied(value: Any) -> Any:
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, set):
        return set(value)
    return value


def row_values(row: Any) -> tuple[Any, ...]:
    """What a row holds, for telling whether a unit of work changed it."""
    shape = _shape(type(row))
    if shape is None:
        return (row,)
    return shape[2](row)


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


class WorkingRows(MutableMapping[Any, Any]):
    """One unit of work's rows of one table: a row is copied from the committed rows the first
    time this unit reads it (a scan reads every row), so a unit pays only for what it touches.

    As on a real database at read committed, a row this unit has not read yet shows its latest
    committed state; one it has read stays as this unit last left it.
    """

    def __init__(self, committed: dict[Any, Any]) -> None:
        self._committed = committed
        self.copies: dict[Any, Any] = {}
        self.originals: dict[Any, tuple[Any, ...]] = {}
        self.deleted: set[Any] = set()

    def __getitem__(self, key: Any) -> Any:
        if key in self.copies:
            return self.copies[key]
        if key in self.deleted or key not in self._committed:
            raise KeyError(key)
        copy = detached_copy(self._committed[key])
        self.copies[key] = copy
        self.originals[key] = row_values(copy)
        return copy

    def __setitem__(self, key: Any, row: Any) -> None:
        self.deleted.discard(key)
        self.copies[key] = row

    def __delitem__(self, key: Any) -> None:
        if key not in self:
            raise KeyError(key)
        self.copies.pop(key, None)
        self.deleted.add(key)

    def __contains__(self, key: object) -> bool:
        return key in self.copies or (key not in self.deleted and key in self._committed)

    def __iter__(self) -> Iterator[Any]:
        seen = [key for key in self._committed if key not in self.deleted]
        known = set(seen)
        return iter(seen + [key for key in self.copies if key not in known])

    def __len__(self) -> int:
        return sum(1 for _ in self)


class FakeSession:
    """One unit of work's view of the store: private copies of the rows it touched."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._working: dict[str, WorkingRows] = {}

    def table(self, name: str) -> MutableMapping[Any, Any]:
        """This unit's rows of a table by key, each copied from the committed rows when first
        read; add, change and delete them freely: nothing is seen by others before `commit`."""
        if name not in self._working:
            self._working[name] = WorkingRows(self._store.table(name).rows)
        return self._working[name]

    def committed(self, name: str) -> MutableMapping[Any, Any]:
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
            for key, row in rows.copies.items():
                values = row_values(row)
                if rows.originals.get(key) != values:
                    committed[key] = detached_copy(row)
                    rows.originals[key] = values
            for key in rows.deleted:
                committed.pop(key, None)
                rows.originals.pop(key, None)
            rows.deleted.clear()

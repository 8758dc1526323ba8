"""Keyset (cursor) pagination with declarative, whitelisted sorting.

A list is ordered by the client's sort keys and then by id, so the order is total. The cursor
is an opaque token holding the sort and the last row's key values; the next page is the rows
strictly after them, which an index can seek to at any depth (no OFFSET).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    SmallInteger,
    and_,
    bindparam,
    false,
    or_,
)
from starlette.datastructures import URL

from app.core.cache import LruCache
from app.core.prepared import Prepared
from app.db import Queries
from app.errors import BadRequestError

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
# The values each integer column type holds: a cursor value outside them is refused, not sent.
INTEGER_BOUNDS = ((SmallInteger, 2**15), (BigInteger, 2**63), (Integer, 2**31))


class Row(Protocol):
    """A result row read by column name (SQLAlchemy's RowMapping, asyncpg's Record)."""

    def __getitem__(self, key: str, /) -> Any: ...


@dataclass(frozen=True)
class Sortable:
    """A column clients may sort by; ``parse`` turns a cursor's JSON value back into Python.

    The expression must have a SQL type with a Python type (give ``type_=`` to a function such
    as ``lower``): a cursor's values are checked against it before they reach the database.
    """

    expression: ColumnElement[Any]
    nullable: bool = False
    parse: Callable[[Any], Any] = lambda value: value

    def __post_init__(self) -> None:
        self.expression.type.python_type  # noqa: B018 - NotImplementedError for an untyped expression

    def cursor_value(self, raw: Any) -> Any:
        """The Python value of a cursor's JSON value; ValueError unless the column can hold it."""
        if raw is None:
            if self.nullable:
                return None
            raise ValueError("null for a column without nulls")
        value = self.parse(raw)
        sql_type = self.expression.type
        expected = sql_type.python_type
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ValueError(f"{value!r} is not a {expected.__name__}")
        if isinstance(sql_type, Integer):
            bound = next(bound for kind, bound in INTEGER_BOUNDS if isinstance(sql_type, kind))
            if not -bound <= value < bound:
                raise ValueError(f"{value} is out of range")
        return value


def parse_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def parse_date(value: Any) -> date:
    return date.fromisoformat(str(value))


@dataclass(frozen=True)
class SortKey:
    name: str
    sortable: Sortable
    descending: bool


@dataclass(frozen=True)
class Ordering:
    """A parsed ``sort`` parameter, always ending with the id as tie-breaker."""

    spec: str
    keys: tuple[SortKey, ...]

    @classmethod
    def parse(cls, spec: str | None, allowed: Mapping[str, Sortable], default: str = "id") -> Ordering:
        spec = (spec or default).strip()
        keys: list[SortKey] = []
        for part in spec.split(","):
            name = part.strip().removeprefix("-")
            if name not in allowed:
                choices = ", ".join(sorted(allowed))
                raise BadRequestError(
                    f"Cannot sort by {name!r}; choose from: {choices} (prefix - for descending).",
                    parameter="sort",
                )
            if any(key.name == name for key in keys):
                raise BadRequestError(f"{name!r} appears twice in sort.", parameter="sort")
            keys.append(SortKey(name, allowed[name], part.strip().startswith("-")))
        if all(key.name != "id" for key in keys):  # id is unique: no key after it is needed
            keys.append(SortKey("id", allowed["id"], descending=False))
        normalised = ",".join(("-" if key.descending else "") + key.name for key in keys)
        return cls(spec=normalised, keys=tuple(keys))

    def order_by(self) -> list[ColumnElement[Any]]:
        clauses: list[ColumnElement[Any]] = []
        for key in self.keys:
            expression = key.sortable.expression
            if key.sortable.nullable:
                clauses.append(expression.is_(None).asc())  # unknown values last, both ways
            clauses.append(expression.desc() if key.descending else expression.asc())
        return clauses

    def key_values(self, row: Row) -> list[Any]:
        return [row[f"sort_{key.name}"] for key in self.keys]

    def columns(self) -> list[ColumnElement[Any]]:
        """The sort expressions, labelled, to select alongside each row for the next cursor."""
        return [key.sortable.expression.label(f"sort_{key.name}") for key in self.keys]

    def after(self, nulls: Sequence[bool]) -> ColumnElement[bool]:
        """Rows strictly after a cursor's values (NULL-safe), as parameters ``after_0`` ...

        The statement's shape depends only on which values are NULL (``nulls``), so one
        statement serves every cursor of that shape; ``after_parameters`` gives the values.
        """
        alternatives: list[ColumnElement[bool]] = []
        equal_so_far: list[ColumnElement[bool]] = []
        for index, (key, is_null) in enumerate(zip(self.keys, nulls, strict=True)):
            expression = key.sortable.expression
            if key.sortable.nullable:
                if is_null:  # among the NULLs (which sort last): only ties continue
                    equal_so_far.append(expression.is_(None))
                    continue
                # Every NULL sorts after any value.
                alternatives.append(and_(*equal_so_far, expression.is_(None)))
            value = bindparam(f"after_{index}", type_=expression.type)
            beyond = expression < value if key.descending else expression > value
            alternatives.append(and_(*equal_so_far, beyond))
            equal_so_far.append(expression == value)
        return or_(false(), *alternatives)

    @staticmethod
    def after_parameters(values: Sequence[Any]) -> dict[str, Any]:
        return {f"after_{index}": value for index, value in enumerate(values) if value is not None}

    def encode_cursor(self, values: Sequence[Any]) -> str:
        payload = orjson.dumps({"sort": self.spec, "after": list(values)})
        return base64.urlsafe_b64encode(payload).decode().rstrip("=")

    def decode_cursor(self, cursor: str) -> list[Any]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            if payload["sort"] != self.spec:
                raise BadRequestError(
                    f"This cursor was made for sort={payload['sort']}; keep the same sort "
                    "while paging, or start again without a cursor.",
                    parameter="cursor",
                )
            raw = payload["after"]
            if not isinstance(raw, list) or len(raw) != len(self.keys):
                raise ValueError("wrong number of values")
            return [key.sortable.cursor_value(value) for key, value in zip(self.keys, raw, strict=True)]
        except BadRequestError:
            raise
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error) as exc:
            raise BadRequestError(
                "The cursor is not valid: pass back the `next_cursor` of a previous page.",
                parameter="cursor",
            ) from exc


def next_link(url: URL, cursor: str) -> str:
    """An RFC 8288 ``Link`` header value pointing at the next page: this URL, its query as the
    client wrote it, with ``cursor`` set (a cursor is URL-safe base64: it needs no escaping)."""
    kept = [part for part in url.query.split("&") if part and not part.startswith("cursor=")]
    kept.append(f"cursor={cursor}")
    return f'<{url.replace(query="&".join(kept))}>; rel="next"'


def page_statement(statement: Select[Any], ordering: Ordering, nulls: Sequence[bool] | None) -> Select[Any]:
    """``statement`` ordered, limited by ``page_limit`` and, for a cursor, after its values."""
    paged = statement.add_columns(*ordering.columns()).order_by(*ordering.order_by())
    paged = paged.limit(bindparam("page_limit", type_=Integer))
    return paged if nulls is None else paged.where(ordering.after(nulls))


# Page statements of the shapes callers name, built and compiled once (see app.core.prepared).
_PAGE_STATEMENTS: LruCache[Hashable, Prepared] = LruCache(4096)


async def fetch_page(
    db: Queries,
    statement: Select[Any],
    ordering: Ordering,
    *,
    cursor: str | None,
    limit: int,
    parameters: Mapping[str, Any] | None = None,
    shape: Hashable | None = None,
) -> tuple[Sequence[Row], str | None]:
    """One page of ``statement`` in ``ordering`` after ``cursor``, in a single query.

    ``shape`` (optional) identifies ``statement`` among statements built the same way with
    values passed as ``parameters``; such page statements are built once and reused.
    """
    values = ordering.decode_cursor(cursor) if cursor else None
    nulls = tuple(value is None for value in values) if values is not None else None
    arguments = {**(parameters or {}), "page_limit": limit + 1, **Ordering.after_parameters(values or ())}
    if shape is None:
        prepared = Prepared.compile(page_statement(statement, ordering, nulls), expand_lists=True)
    else:
        key = (shape, ordering.spec, nulls)
        cached = _PAGE_STATEMENTS.get(key)
        if cached is None:
            cached = _PAGE_STATEMENTS.put(key, Prepared.compile(page_statement(statement, ordering, nulls)))
        prepared = cached
    rows: Sequence[Row] = await db.fetch(prepared, arguments)
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], ordering.encode_cursor(ordering.key_values(rows[limit - 1]))

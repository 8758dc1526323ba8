"""Resources rendered as compact JSON text by PostgreSQL.

Hot paths answer with documents PostgreSQL writes: no Python object is built per row, and a
page is the documents joined. ``json_build_object`` would put spaces around every colon
(``{"id" : 1}``), so objects are concatenated from each value's ``to_json`` text instead:
compact, in the declared order of the public model, with strings escaped by PostgreSQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Integer, Text, cast, func, literal_column, select

TIMESTAMPS = ("created_at", "updated_at")
RESOURCE_COLUMNS = (*TIMESTAMPS, "version")


def _text(sql: str) -> ColumnElement[str]:
    return literal_column("'" + sql.replace("'", "''") + "'", Text)


def timestamp_text(column: Any) -> ColumnElement[str]:
    """RFC 3339 in UTC with a "Z" and microseconds, quoted: the API's timestamps."""
    utc = column.op("AT TIME ZONE")(literal_column("'UTC'"))
    return func.concat(
        _text('"'), func.to_char(utc, literal_column("""'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'""")), _text('"')
    )


def json_value(value: Any) -> ColumnElement[str]:
    """A SQL value's JSON text; ``null`` for NULL."""
    # An integer's text is its JSON already; to_json would only cost time.
    rendered = cast(value, Text) if isinstance(value.type, Integer) else cast(func.to_json(value), Text)
    return func.coalesce(rendered, _text("null"))


def json_object(pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[str]:
    """A JSON object's text from (name, JSON text) pairs, in that order."""
    parts: list[ColumnElement[Any]] = []
    for index, (name, value) in enumerate(pairs):
        parts.append(_text(("," if index else "{") + f'"{name}":'))
        parts.append(value)
    parts.append(_text("}"))
    return func.concat(*parts, type_=Text)


def json_array(element: ColumnElement[str], order: ColumnElement[Any]) -> ColumnElement[str]:
    """The aggregate of JSON texts as one compact JSON array (``[]`` when there are none)."""
    joined = func.string_agg(element, _text(",")).aggregate_order_by(order)
    return func.concat(_text("["), joined, _text("]"), type_=Text)


def field_json(table: Any, name: str) -> ColumnElement[str]:
    column = table.c[name]
    return timestamp_text(column) if name in TIMESTAMPS else json_value(column)


def resource_document(table: Any, names: Collection[str]) -> ColumnElement[str]:
    """One row's columns ``names`` as a JSON object's text (timestamps as the API writes them)."""
    return json_object([(name, field_json(table, name)) for name in names])


def aggregated(element: ColumnElement[str], order: ColumnElement[Any], source: Any, *where: Any) -> Any:
    """A scalar subquery: the JSON array of ``element`` over ``source`` rows matching ``where``."""
    return select(json_array(element, order)).select_from(source).where(*where).scalar_subquery()


def representation_etag(version: int, document: str, *, composite: bool) -> str:
    """The strong ETag of a representation.

    A resource alone is tagged by its version (what ``If-Match`` compares). A representation
    that embeds related resources changes when they change too, so it is tagged by its version
    and a digest of the whole document.
    """
    if not composite:
        return f'"{version}"'
    digest = hashlib.blake2b(document.encode(), digest_size=8).hexdigest()
    return f'"{version}-{digest}"'


def page_json(documents: Sequence[str], next_cursor: str | None) -> bytes:
    """A page response made of documents PostgreSQL already rendered."""
    items = ",".join(documents).encode()
    return b'{"items":[' + items + b'],"next_cursor":' + orjson.dumps(next_cursor) + b"}"

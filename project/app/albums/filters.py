"""The query parameters of album lists, and the condition of each filter."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import ColumnElement, bindparam

from app.albums.models import Album
from app.core.listing import ListParams

table: Any = Album.__table__  # type: ignore[attr-defined]

# Each filter as a condition on a named parameter: one compiled statement per set of filters.
FILTERS: dict[str, ColumnElement[bool]] = {
    "artist_id": table.c.artist_id == bindparam("artist_id"),
    "scope_artist_id": table.c.artist_id == bindparam("scope_artist_id"),
    "year_from": table.c.year >= bindparam("year_from"),
    "year_to": table.c.year <= bindparam("year_to"),
    "barcode": table.c.barcode == bindparam("barcode"),
}


class AlbumListParams(ListParams):
    artist_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    year_from: int | None = Field(default=None, ge=0, le=9999)
    year_to: int | None = Field(default=None, ge=0, le=9999)
    barcode: str | None = Field(default=None, pattern=r"^\d{12,13}$")

    def filter_values(self) -> dict[str, Any]:
        names = ("artist_id", "year_from", "year_to", "barcode")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

"""The query parameters of album lists."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.albums.service import table
from app.core.listing import ListParams


class AlbumListParams(ListParams):
    artist_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    year_from: int | None = Field(default=None, ge=0, le=9999)
    year_to: int | None = Field(default=None, ge=0, le=9999)
    barcode: str | None = Field(default=None, pattern=r"^\d{12,13}$")

    def conditions(self) -> list[Any]:
        found: list[Any] = []
        if self.artist_id is not None:
            found.append(table.c.artist_id == self.artist_id)
        if self.year_from is not None:
            found.append(table.c.year >= self.year_from)
        if self.year_to is not None:
            found.append(table.c.year <= self.year_to)
        if self.barcode is not None:
            found.append(table.c.barcode == self.barcode)
        return found

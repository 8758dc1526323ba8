"""Album models: the table, and the shapes clients send and receive."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, JsonValue, field_validator, model_validator
from sqlalchemy import CheckConstraint
from sqlmodel import Field

from app.core.columns import Versioned
from app.search.models import Searchable, search_index
from app.validation import Barcode, Name, Year, not_null

ALBUM_EXAMPLE: dict[str, JsonValue] = {
    "title": "As the Love Continues",
    "artist_id": 1,
    "release_date": "2021-02-19",
    "barcode": "5051083158626",
}


class Album(Searchable, Versioned, table=True):
    __tablename__ = "albums"
    __table_args__ = (
        CheckConstraint("barcode ~ '^[0-9]{12,13}$'", name="barcode_digits"),
        search_index("albums"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    artist_id: int = Field(foreign_key="artists.id", index=True, ondelete="RESTRICT")
    release_date: date | None = None
    year: int | None = None
    barcode: str | None = Field(default=None, max_length=13, unique=True)
    # Folded title (set by the app) and artist name (kept by a trigger), for search.
    title_key: str | None = Field(default=None, max_length=200, index=True)
    artist_key: str | None = Field(default=None, max_length=200)


class AlbumFields(BaseModel):
    title: Name
    artist_id: int = Field(ge=1, le=2**31 - 1)
    release_date: date | None = Field(default=None, description="Full release date, if known.")
    year: Year | None = Field(default=None, description="Release year; taken from release_date.")
    barcode: Barcode | None = Field(default=None, description="UPC-A (12) or EAN-13 digits.")

    @model_validator(mode="after")
    def _year_from_date(self) -> Self:
        if self.release_date is not None:
            if self.year is not None and self.year != self.release_date.year:
                raise ValueError("year and release_date disagree")
            self.year = self.release_date.year
        return self


class AlbumCreate(AlbumFields):
    """A new album (also the body of PUT, which replaces every field)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ALBUM_EXAMPLE]})


class AlbumUpdate(BaseModel):
    """A partial change (PATCH): only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"year": 2021}]})

    title: Name | None = None
    artist_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    release_date: date | None = None
    year: Year | None = None
    barcode: Barcode | None = None

    required = field_validator("title", "artist_id")(not_null)


class AlbumPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{"id": 2, **ALBUM_EXAMPLE, "year": 2021}]},
    )

    id: int
    title: str
    artist_id: int
    release_date: date | None
    year: int | None
    barcode: str | None
    created_at: datetime
    updated_at: datetime
    version: int

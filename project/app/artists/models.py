"""Artist models: the table, and the shapes clients send and receive."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, JsonValue, field_validator
from sqlalchemy import CheckConstraint
from sqlmodel import Field

from app.core.columns import Versioned
from app.search.models import Searchable, search_index
from app.validation import CountryCode, Name, not_null

ARTIST_EXAMPLE: dict[str, JsonValue] = {
    "name": "Sigur Rós",
    "sort_name": "Sigur Rós",
    "country": "IS",
    "mbid": "f6f2326f-6b25-4170-b89d-e235b25508e8",
}


class Artist(Searchable, Versioned, table=True):
    __tablename__ = "artists"
    __table_args__ = (
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_alpha2"),
        search_index("artists"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # Case- and accent-folded name (app.core.text.match_key): finds "Björk" from "bjork".
    name_key: str = Field(max_length=200, index=True)
    sort_name: str = Field(max_length=200)
    country: str | None = Field(default=None, max_length=2)
    mbid: uuid.UUID | None = Field(default=None, unique=True)


class ArtistFields(BaseModel):
    name: Name
    sort_name: Name | None = Field(
        default=None, description='How to file the artist; defaults to the name ("Beatles, The").'
    )
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2 code.")
    mbid: uuid.UUID | None = Field(default=None, description="MusicBrainz artist id.")


class ArtistCreate(ArtistFields):
    """A new artist (also the body of PUT, which replaces every field)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ARTIST_EXAMPLE]})


class ArtistUpdate(BaseModel):
    """A partial change (PATCH): only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"country": "IS"}]})

    name: Name | None = None
    sort_name: Name | None = None
    country: CountryCode | None = None
    mbid: uuid.UUID | None = None

    required = field_validator("name")(not_null)


class ArtistPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"id": 7, **ARTIST_EXAMPLE}]}
    )

    id: int
    name: str
    sort_name: str
    country: str | None
    mbid: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int

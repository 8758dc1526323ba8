"""Song models: the table, and the shapes clients send and receive."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, JsonValue, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field

from app.albums.models import AlbumPublic
from app.artists.models import ArtistPublic
from app.core.columns import Versioned
from app.genres.models import GenrePublic
from app.search.models import Searchable, search_index
from app.validation import Isrc, Name, Year, not_null

SONG_EXAMPLE: dict[str, JsonValue] = {"name": "Midnight Fit", "artist": "Mogwai", "year": 2021}
Id = PydanticField(ge=1, le=2**31 - 1)


class Song(Searchable, Versioned, table=True):
    __tablename__ = "songs"
    __table_args__ = (
        # One song per position on an album.
        UniqueConstraint("album_id", "disc_number", "track_number", name="uq_songs_album_position"),
        CheckConstraint("track_number >= 1", name="track_number_positive"),
        CheckConstraint("disc_number >= 1", name="disc_number_positive"),
        CheckConstraint("duration_ms > 0", name="duration_positive"),
        CheckConstraint("isrc ~ '^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$'", name="isrc_format"),
        search_index("songs"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    artist_id: int = Field(foreign_key="artists.id", index=True, ondelete="RESTRICT")
    album_id: int | None = Field(default=None, foreign_key="albums.id", ondelete="RESTRICT")
    track_number: int | None = None
    disc_number: int | None = None
    duration_ms: int | None = None
    year: int | None = Field(default=None, index=True)
    isrc: str | None = Field(default=None, max_length=12, unique=True)
    # Folded name (set by the app), artist name and album title (kept by triggers), for search.
    name_key: str | None = Field(default=None, max_length=200, index=True)
    artist_key: str | None = Field(default=None, max_length=200)
    album_key: str | None = Field(default=None, max_length=200)


class SongFields(BaseModel):
    name: Name
    artist: Name | None = PydanticField(
        default=None,
        description="The artist's name: linked to the artist of that name (ignoring case and "
        "accents), created if there is none. Give this or `artist_id`.",
    )
    artist_id: int | None = PydanticField(default=None, ge=1, le=2**31 - 1)
    album_id: int | None = PydanticField(default=None, ge=1, le=2**31 - 1)
    track_number: int | None = PydanticField(default=None, ge=1, le=10_000)
    disc_number: int | None = PydanticField(default=None, ge=1, le=1_000)
    duration_ms: int | None = PydanticField(default=None, ge=1, le=24 * 3600 * 1000)
    year: Year | None = None
    isrc: Isrc | None = PydanticField(default=None, description="e.g. US-RC1-76-07839")
    genres: list[Name] = PydanticField(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.artist is None) == (self.artist_id is None):
            raise ValueError("give exactly one of artist (a name) and artist_id")
        if self.album_id is None and (self.track_number or self.disc_number):
            raise ValueError("track_number and disc_number need an album_id")
        if self.album_id is not None and self.track_number and self.disc_number is None:
            self.disc_number = 1
        return self


class SongCreate(SongFields):
    """A new song (also the body of PUT, which replaces every field)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SONG_EXAMPLE]})


class SongUpdate(BaseModel):
    """A partial change (PATCH): only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"year": 2021}]})

    name: Name | None = None
    artist: Name | None = None
    artist_id: int | None = PydanticField(default=None, ge=1, le=2**31 - 1)
    album_id: int | None = PydanticField(default=None, ge=1, le=2**31 - 1)
    track_number: int | None = PydanticField(default=None, ge=1, le=10_000)
    disc_number: int | None = PydanticField(default=None, ge=1, le=1_000)
    duration_ms: int | None = PydanticField(default=None, ge=1, le=24 * 3600 * 1000)
    year: Year | None = None
    isrc: Isrc | None = None
    genres: list[Name] | None = PydanticField(default=None, max_length=20)

    required = field_validator("name", "artist", "artist_id", "genres")(not_null)

    @model_validator(mode="after")
    def _one_artist(self) -> Self:
        if self.artist is not None and self.artist_id is not None:
            raise ValueError("give at most one of artist (a name) and artist_id")
        return self


Include = Literal["artist", "album", "genres"]


class SongIncluded(BaseModel):
    """Related resources embedded on request (`include=artist,album,genres`)."""

    artist: ArtistPublic | None = None
    album: AlbumPublic | None = None
    genres: list[GenrePublic] | None = None


class SongPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1, **SONG_EXAMPLE, "artist_id": 1, "album_id": None,
                    "track_number": None, "disc_number": None, "duration_ms": 371000,
                    "isrc": "GBCFB2000123", "genres": ["post-rock"],
                    "created_at": "2026-11-23T15:00:00Z", "updated_at": "2026-11-23T15:00:00Z",
                    "version": 1,
                }
            ]
        }
    )  # fmt: skip

    id: int
    name: str
    artist: str = PydanticField(description="The artist's name (as in the seed API).")
    artist_id: int
    album_id: int | None
    track_number: int | None
    disc_number: int | None
    duration_ms: int | None
    year: int | None
    isrc: str | None
    genres: list[str]
    created_at: datetime
    updated_at: datetime
    version: int
    included: SongIncluded | None = None

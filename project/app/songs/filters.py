"""The query parameters of song lists: filters, sorting and inclusions, declared once."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, bindparam, exists, select

from app.core.listing import ListParams
from app.core.text import match_key
from app.songs.queries import artists, genres, song_genres, songs
from app.validation import Isrc

INCLUDABLE = ("artist", "album", "genres")


def _known_inclusions(value: str | None) -> str | None:
    for part in (value or "").split(","):
        if value is not None and part.strip() not in INCLUDABLE:
            raise ValueError(f"cannot include {part.strip()!r}; choose from {', '.join(INCLUDABLE)}")
    return value


class IncludeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    include: Annotated[str | None, AfterValidator(_known_inclusions)] = Field(
        default=None, description="Embed related resources: any of `artist,album,genres`."
    )

    def inclusions(self) -> list[str]:
        return [part.strip() for part in self.include.split(",")] if self.include else []


class SongListParams(IncludeParams, ListParams):
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Search, as in `GET /search` (songs only); results come by relevance unless "
        "`sort` says otherwise.",
    )
    match: Literal["fuzzy", "exact"] = Field(default="fuzzy", description="`exact`: no typo tolerance.")
    artist_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    artist: str | None = Field(
        default=None, max_length=200, description="Artist name, ignoring case and accents."
    )
    album_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    genre: str | None = Field(default=None, max_length=200, description="Genre name.")
    year_from: int | None = Field(default=None, ge=0, le=9999)
    year_to: int | None = Field(default=None, ge=0, le=9999)
    isrc: Isrc | None = Field(default=None, description="Exact ISRC, with or without dashes.")

    def filter_values(self) -> dict[str, Any]:
        """The filters given, by name in ``FILTERS``, with the values their parameters take."""
        given: dict[str, Any] = {
            name: getattr(self, name)
            for name in ("artist_id", "album_id", "year_from", "year_to", "isrc")
            if getattr(self, name) is not None
        }
        if self.artist is not None:
            given["artist"] = match_key(self.artist)
        if self.genre is not None:
            given["genre"] = match_key(self.genre)
        return given


def _named(name: str) -> Any:
    return bindparam(name)


# Each filter as a condition on a named parameter: the statement for a set of filters is
# the same whatever their values, so it is built (and compiled) once.
FILTERS: dict[str, ColumnElement[bool]] = {
    "artist_id": songs.c.artist_id == _named("artist_id"),
    "scope_artist_id": songs.c.artist_id == _named("scope_artist_id"),
    "artist": songs.c.artist_id.in_(select(artists.c.id).where(artists.c.name_key == _named("artist"))),
    "album_id": songs.c.album_id == _named("album_id"),
    "scope_album_id": songs.c.album_id == _named("scope_album_id"),
    "genre": exists()
    .where(song_genres.c.song_id == songs.c.id)
    .where(song_genres.c.genre_id == genres.c.id)
    .where(genres.c.name_key == _named("genre")),
    "year_from": songs.c.year >= _named("year_from"),
    "year_to": songs.c.year <= _named("year_to"),
    "isrc": songs.c.isrc == _named("isrc"),
}

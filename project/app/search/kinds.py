"""What each kind of search result is searched in, and how its fields map to weights."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, any_, exists, func, literal, select

from app.search.plan import Kind
from app.songs.queries import albums, artists, genres, song_genres, songs


def _song_has_genre(tsquery: str) -> ColumnElement[bool]:
    genre_vector = func.to_tsvector("simple", genres.c.name_key)
    return (
        exists()
        .where(song_genres.c.song_id == songs.c.id)
        .where(song_genres.c.genre_id == genres.c.id)
        .where(genre_vector.op("@@")(func.to_tsquery("simple", literal(tsquery))))
    )


SONG = Kind(
    name="song",
    table=songs,
    weights={"name": "A", "artist": "B", "album": "C"},
    # A song called what was typed first, then songs by an artist called that (artist-name
    # hits), then songs whose title starts with it, then songs on an album called that.
    bonuses=((songs.c.name_key, 3.0, 1.5), (songs.c.artist_key, 2.5, 0.0), (songs.c.album_key, 1.0, 0.0)),
    exact_lookups=(
        lambda names: songs.c.name_key == any_(names),
        lambda names: songs.c.artist_id.in_(select(artists.c.id).where(artists.c.name_key == any_(names))),
    ),
    year=songs.c.year,
    isrc=songs.c.isrc,
    genre_match=_song_has_genre,
)
ARTIST = Kind(
    name="artist",
    table=artists,
    weights={"name": "A", "artist": "A"},
    bonuses=((artists.c.name_key, 4.0, 2.0),),
    exact_lookups=(lambda names: artists.c.name_key == any_(names),),
)
ALBUM = Kind(
    name="album",
    table=albums,
    weights={"name": "A", "album": "A", "artist": "B"},
    bonuses=((albums.c.title_key, 3.5, 1.5), (albums.c.artist_key, 2.0, 0.0)),
    exact_lookups=(
        lambda names: albums.c.title_key == any_(names),
        lambda names: albums.c.artist_id.in_(select(artists.c.id).where(artists.c.name_key == any_(names))),
    ),
    year=albums.c.year,
)
KINDS: dict[str, Kind] = {kind.name: kind for kind in (SONG, ARTIST, ALBUM)}
# Ties in relevance: artists first, then albums, then songs.
KIND_RANK: dict[str, int] = {"artist": 3, "album": 2, "song": 1}

DISPLAY_COLUMNS: dict[str, dict[str, Any]] = {
    "song": {"name": songs.c.name, "artist": artists.c.name, "album": albums.c.title,
             "year": songs.c.year, "country": None},
    "artist": {"name": artists.c.name, "artist": None, "album": None, "year": None,
               "country": artists.c.country},
    "album": {"name": albums.c.title, "artist": artists.c.name, "album": None,
              "year": albums.c.year, "country": None},
}  # fmt: skip

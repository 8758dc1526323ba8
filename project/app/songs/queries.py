"""The one SELECT that renders songs, as JSON made by PostgreSQL.

Every song representation (a page, a single song, an album's track list, a song just written)
comes from this statement: each row carries its finished JSON document, the artist's name,
genre names and any requested inclusions already in it. No request issues a query per row, and
no Python object is built per row on these hot paths: the documents are joined into the
response as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, case, literal_column, select

from app.albums.models import Album
from app.artists.models import Artist
from app.core.documents import (
    RESOURCE_COLUMNS,
    aggregated,
    json_object,
    json_value,
    resource_document,
    timestamp_text,
)
from app.genres.models import Genre, SongGenre
from app.songs.models import Song

songs = Song.__table__  # type: ignore[attr-defined]
artists = Artist.__table__  # type: ignore[attr-defined]
albums = Album.__table__  # type: ignore[attr-defined]
genres = Genre.__table__  # type: ignore[attr-defined]
song_genres = SongGenre.__table__  # type: ignore[attr-defined]

ARTIST_COLUMNS = ("id", "name", "sort_name", "country", "mbid", *RESOURCE_COLUMNS)
ALBUM_COLUMNS = ("id", "title", "artist_id", "release_date", "year", "barcode", *RESOURCE_COLUMNS)
GENRE_COLUMNS = ("id", "name", *RESOURCE_COLUMNS)
INCLUDE_ORDER = ("artist", "album", "genres")
_GENRE_LINKS = song_genres.join(genres, genres.c.id == song_genres.c.genre_id)


def _genres_of(song: Any, element: ColumnElement[str]) -> Any:
    return aggregated(element, genres.c.name, _GENRE_LINKS, song_genres.c.song_id == song.c.id)


def _included(song: Any, include: Collection[str]) -> ColumnElement[str]:
    parts: list[tuple[str, ColumnElement[str]]] = []
    for name in INCLUDE_ORDER:
        if name == "artist" and name in include:
            parts.append(("artist", resource_document(artists, ARTIST_COLUMNS)))
        if name == "album" and name in include:
            album = resource_document(albums, ALBUM_COLUMNS)
            parts.append(("album", case((albums.c.id.is_(None), literal_column("'null'")), else_=album)))
        if name == "genres" and name in include:
            parts.append(("genres", _genres_of(song, resource_document(genres, GENRE_COLUMNS))))
    return json_object(parts)


def song_document(song: Any, include: Collection[str] = ()) -> ColumnElement[str]:
    """The song's JSON (the shape of ``SongPublic``) as text; ``song`` is the songs table or a
    selectable with its columns (a song just inserted)."""
    pairs: list[tuple[str, ColumnElement[str]]] = [
        ("id", json_value(song.c.id)),
        ("name", json_value(song.c.name)),
        ("artist", json_value(artists.c.name)),
        *((name, json_value(song.c[name])) for name in (
            "artist_id", "album_id", "track_number", "disc_number", "duration_ms", "year", "isrc"
        )),
        ("genres", _genres_of(song, json_value(genres.c.name))),
        ("created_at", timestamp_text(song.c.created_at)),
        ("updated_at", timestamp_text(song.c.updated_at)),
        ("version", json_value(song.c.version)),
        ("included", _included(song, include) if include else literal_column("'null'")),
    ]  # fmt: skip
    return json_object(pairs)


def songs_select(include: Collection[str] = (), song: Any = songs) -> Select[Any]:
    """Rows of ``document`` (the song's JSON text) and ``version`` (its ETag)."""
    return _songs_select(frozenset(include), song)


@functools.cache
def _songs_select(include: frozenset[str], song: Any) -> Select[Any]:
    # Built once per set of inclusions: statements are immutable, and building this one is a
    # noticeable share of a request's time.
    source = song.join(artists, artists.c.id == song.c.artist_id)
    if "album" in include:
        source = source.outerjoin(albums, albums.c.id == song.c.album_id)
    return select(song_document(song, include).label("document"), song.c.version).select_from(source)

"""The one SELECT that renders songs, as JSON made by PostgreSQL.

Every song representation (a page, a single song, an album's track list) comes from this
statement: each row carries its finished JSON document, the artist's name, genre names and any
requested inclusions already in it. No request issues a query per row, and no Python object is
built per row on these hot paths: the documents are joined into the response as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, Text, case, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by

from app.albums.models import Album
from app.artists.models import Artist
from app.genres.models import Genre, SongGenre
from app.songs.models import Song

songs = Song.__table__  # type: ignore[attr-defined]
artists = Artist.__table__  # type: ignore[attr-defined]
albums = Album.__table__  # type: ignore[attr-defined]
genres = Genre.__table__  # type: ignore[attr-defined]
song_genres = SongGenre.__table__  # type: ignore[attr-defined]

TIMESTAMPS = ("created_at", "updated_at")
RESOURCE_COLUMNS = (*TIMESTAMPS, "version")
ARTIST_COLUMNS = ("id", "name", "sort_name", "country", "mbid", *RESOURCE_COLUMNS)
ALBUM_COLUMNS = ("id", "title", "artist_id", "release_date", "year", "barcode", *RESOURCE_COLUMNS)
GENRE_COLUMNS = ("id", "name", *RESOURCE_COLUMNS)


def _timestamp(column: Any) -> ColumnElement[Any]:
    # RFC 3339 in UTC with a "Z", as the API's other resources render timestamps.
    utc = column.op("AT TIME ZONE")(literal_column("'UTC'"))
    return func.to_char(utc, literal_column("""'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""))


def _field(table: Any, name: str) -> ColumnElement[Any]:
    column = table.c[name]
    return _timestamp(column) if name in TIMESTAMPS else column


def json_object(pairs: Sequence[tuple[str, Any]]) -> ColumnElement[Any]:
    arguments: list[Any] = []
    for name, value in pairs:
        arguments.extend([literal_column(f"'{name}'"), value])
    return func.json_build_object(*arguments, type_=JSON)


def _resource(table: Any, names: Collection[str]) -> ColumnElement[Any]:
    return json_object([(name, _field(table, name)) for name in names])


def _genres_of_song(value: ColumnElement[Any], order: ColumnElement[Any]) -> ColumnElement[Any]:
    return (
        select(func.coalesce(func.json_agg(aggregate_order_by(value, order)), literal_column("'[]'::json")))
        .select_from(song_genres.join(genres, genres.c.id == song_genres.c.genre_id))
        .where(song_genres.c.song_id == songs.c.id)
        .scalar_subquery()
    )


def _included(include: Collection[str]) -> ColumnElement[Any]:
    parts: list[tuple[str, Any]] = []
    if "artist" in include:
        parts.append(("artist", _resource(artists, ARTIST_COLUMNS)))
    if "album" in include:
        parts.append(("album", case((albums.c.id.is_(None), None), else_=_resource(albums, ALBUM_COLUMNS))))
    if "genres" in include:
        parts.append(("genres", _genres_of_song(_resource(genres, GENRE_COLUMNS), genres.c.name)))
    return json_object(parts)


def song_document(include: Collection[str] = ()) -> ColumnElement[str]:
    """The song's JSON (the shape of ``SongPublic``), as text."""
    pairs: list[tuple[str, Any]] = [
        ("id", songs.c.id),
        ("name", songs.c.name),
        ("artist", artists.c.name),
        ("artist_id", songs.c.artist_id),
        ("album_id", songs.c.album_id),
        ("track_number", songs.c.track_number),
        ("disc_number", songs.c.disc_number),
        ("duration_ms", songs.c.duration_ms),
        ("year", songs.c.year),
        ("isrc", songs.c.isrc),
        ("genres", _genres_of_song(genres.c.name, genres.c.name)),
        ("created_at", _timestamp(songs.c.created_at)),
        ("updated_at", _timestamp(songs.c.updated_at)),
        ("version", songs.c.version),
        ("included", _included(include) if include else None),
    ]
    return cast(json_object(pairs), Text)


@functools.cache
def _songs_select(include: frozenset[str]) -> Select[Any]:
    source = songs.join(artists, artists.c.id == songs.c.artist_id)
    if "album" in include:
        source = source.outerjoin(albums, albums.c.id == songs.c.album_id)
    return select(song_document(include).label("document"), songs.c.version).select_from(source)


def songs_select(include: Collection[str] = ()) -> Select[Any]:
    """Rows of ``document`` (the song's JSON text) and ``version`` (its ETag).

    Built once per set of inclusions: statements are immutable, and building this one is a
    noticeable share of a request's time.
    """
    return _songs_select(frozenset(include))


def page_json(documents: Sequence[str], next_cursor: str | None) -> bytes:
    """A page response made of documents PostgreSQL already rendered."""
    items = ",".join(documents).encode()
    return b'{"items":[' + items + b'],"next_cursor":' + orjson.dumps(next_cursor) + b"}"

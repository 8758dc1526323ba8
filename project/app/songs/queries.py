"""The one SELECT that renders songs: a page, a single song, or an album's track list.

Everything a song representation needs (the artist's name, genre names, and any included
resources) comes from this single statement, so no request issues a query per row.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal_column, select
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

SONG_COLUMNS = (
    "id", "name", "artist_id", "album_id", "track_number", "disc_number", "duration_ms",
    "year", "isrc", "created_at", "updated_at", "version",
)  # fmt: skip
RESOURCE_COLUMNS = ("created_at", "updated_at", "version")
ARTIST_COLUMNS = ("id", "name", "sort_name", "country", "mbid")
ALBUM_COLUMNS = ("id", "title", "artist_id", "release_date", "year", "barcode")


def _json_object(table: Any, names: Collection[str]) -> ColumnElement[Any]:
    arguments: list[Any] = []
    for name in names:
        arguments.extend([literal_column(f"'{name}'"), table.c[name]])
    return func.json_build_object(*arguments, type_=JSON)


def _genre_names() -> ColumnElement[Any]:
    return (
        select(
            func.coalesce(
                func.array_agg(aggregate_order_by(genres.c.name, genres.c.name)),
                literal_column("'{}'::varchar[]"),
            )
        )
        .select_from(song_genres.join(genres, genres.c.id == song_genres.c.genre_id))
        .where(song_genres.c.song_id == songs.c.id)
        .scalar_subquery()
    )


def _genre_objects() -> ColumnElement[Any]:
    genre_json = _json_object(genres, ("id", "name", *RESOURCE_COLUMNS))
    return (
        select(
            func.coalesce(
                func.json_agg(aggregate_order_by(genre_json, genres.c.name)),
                literal_column("'[]'::json"),
                type_=JSON,
            )
        )
        .select_from(song_genres.join(genres, genres.c.id == song_genres.c.genre_id))
        .where(song_genres.c.song_id == songs.c.id)
        .scalar_subquery()
    )


def songs_select(include: Collection[str] = ()) -> Select[Any]:
    """Song rows with ``artist`` (the name), ``genres`` (names) and the requested inclusions."""
    columns: list[Any] = [songs.c[name] for name in SONG_COLUMNS]
    columns += [artists.c.name.label("artist"), _genre_names().label("genres")]
    source = songs.join(artists, artists.c.id == songs.c.artist_id)
    if "artist" in include:
        columns.append(_json_object(artists, (*ARTIST_COLUMNS, *RESOURCE_COLUMNS)).label("included_artist"))
    if "album" in include:
        source = source.outerjoin(albums, albums.c.id == songs.c.album_id)
        album_json = _json_object(albums, (*ALBUM_COLUMNS, *RESOURCE_COLUMNS))
        columns.append(case((albums.c.id.is_(None), None), else_=album_json).label("included_album"))
    if "genres" in include:
        columns.append(_genre_objects().label("included_genres"))
    return select(*columns).select_from(source)

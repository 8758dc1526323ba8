"""Song use cases, independent of HTTP."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import asyncpg
from sqlalchemy import Integer, Select, String, Text, bindparam, delete, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.artists.service import artist_id_for_name
from app.core.conditional import etag
from app.core.documents import representation_etag
from app.core.pagination import Sortable, parse_datetime
from app.core.prepared import Prepared
from app.core.repository import Accepted, Repository
from app.core.text import match_key
from app.db import Db, Queries
from app.errors import InvalidReferenceError, NotFoundError
from app.songs import queries
from app.songs.filters import FILTERS
from app.songs.models import SongCreate, SongUpdate

table = queries.songs
song_rows = Repository(table, "Song", ("id",))  # versioned writes; documents come from queries

SORTABLE = {
    "id": Sortable(table.c.id),
    "name": Sortable(func.lower(table.c.name, type_=String)),
    "year": Sortable(table.c.year, nullable=True),
    "duration_ms": Sortable(table.c.duration_ms, nullable=True),
    "track_number": Sortable(table.c.track_number, nullable=True),
    "disc_number": Sortable(table.c.disc_number, nullable=True),
    "created_at": Sortable(table.c.created_at, parse=parse_datetime),
    "updated_at": Sortable(table.c.updated_at, parse=parse_datetime),
}

# The columns a new song is written with, in order, and the type of each parameter.
_INSERTED: dict[str, Any] = {
    "name": Text, "name_key": Text, "album_id": Integer, "track_number": Integer,
    "disc_number": Integer, "duration_ms": Integer, "year": Integer, "isrc": Text,
}  # fmt: skip
# A reference that does not exist is the client's mistake (422 naming the field), not a conflict.
_REFERENCES = {
    "fk_songs_album_id_albums": ("album_id", "Album"),
    "fk_songs_artist_id_artists": ("artist_id", "Artist"),
}


def _rendered(new_song: Any) -> Prepared:
    """Insert a song and answer with its document, in one statement."""
    created = new_song.returning(*table.c).cte("created")
    return Prepared.compile(queries.songs_select((), created).add_columns(created.c.id))


def _new_song_values() -> list[Any]:
    return [bindparam(name, type_=kind) for name, kind in _INSERTED.items()]


# By artist id, and by the artist's name key: the second inserts nothing when no artist has
# that name, and the caller then creates the artist (under a lock) and inserts by id.
_COLUMNS = [*_INSERTED, "artist_id"]
_CREATE_BY_ID = _rendered(
    insert(table).from_select(_COLUMNS, select(*_new_song_values(), bindparam("artist_id", type_=Integer)))
)
_artists = queries.artists
_CREATE_BY_ARTIST_KEY = _rendered(
    insert(table).from_select(
        _COLUMNS,
        select(*_new_song_values(), _artists.c.id)
        .where(_artists.c.name_key == bindparam("artist_key", type_=Text))
        .order_by(_artists.c.id)
        .limit(1),
    )
)

_UNLINK_GENRES = Prepared.compile(
    delete(queries.song_genres).where(queries.song_genres.c.song_id == bindparam("song_id"))
)
_ADD_GENRES = Prepared.compile(
    pg_insert(queries.genres)
    .from_select(
        ["name", "name_key"],
        select(
            func.unnest(bindparam("names", type_=ARRAY(Text))),
            func.unnest(bindparam("keys", type_=ARRAY(Text))),
        ),
    )
    .on_conflict_do_nothing(index_elements=["name_key"])
)
_LINK_GENRES = Prepared.compile(
    insert(queries.song_genres).from_select(
        ["genre_id", "song_id"],
        select(queries.genres.c.id, bindparam("song_id", type_=Integer)).where(
            queries.genres.c.name_key == func.any(bindparam("keys", type_=ARRAY(Text)))
        ),
    )
)


@contextmanager
def _references_checked(values: Mapping[str, Any]) -> Iterator[None]:
    try:
        yield
    except asyncpg.ForeignKeyViolationError as exc:
        if exc.constraint_name not in _REFERENCES:
            raise
        field, noun = _REFERENCES[exc.constraint_name]
        raise InvalidReferenceError(field, f"{noun} {values.get(field)} does not exist.") from exc


async def _set_genres(db: Db, song_id: int, names: Sequence[str], *, new: bool = False) -> None:
    """Link the song to exactly these genres, creating the ones that do not exist yet."""
    if not new:  # a song just created has no links to remove
        await db.execute(_UNLINK_GENRES, {"song_id": song_id})
    by_key = {match_key(name): name for name in names}
    if by_key:
        await db.execute(_ADD_GENRES, {"names": list(by_key.values()), "keys": list(by_key)})
        await db.execute(_LINK_GENRES, {"song_id": song_id, "keys": list(by_key)})


async def _column_values(db: Db, data: dict[str, Any]) -> dict[str, Any]:
    values = {key: value for key, value in data.items() if key not in {"artist", "genres"}}
    if "name" in values:
        values["name_key"] = match_key(values["name"])
    if data.get("artist") is not None:
        values["artist_id"] = await artist_id_for_name(db, data["artist"])
    return values


@functools.cache
def _one_song(include: frozenset[str]) -> Prepared:
    return Prepared.compile(queries.songs_select(include).where(table.c.id == bindparam("song_id")))


async def render_song(db: Queries, song_id: int, include: Sequence[str] = ()) -> tuple[str, str]:
    """The song's JSON document and its ETag, in one prepared query."""
    row = await db.fetchrow(_one_song(frozenset(include)), {"song_id": song_id})
    if row is None:
        raise NotFoundError("Song", song_id)
    document: str = row["document"]
    return document, representation_etag(row["version"], document, composite=bool(include))


async def create_song(db: Db, data: SongCreate) -> tuple[int, str, str]:
    """The new song's id, document and ETag. One statement when the artist is given by id or
    exists already (and the song has no genres)."""
    values = {name: getattr(data, name) for name in _INSERTED if name != "name_key"}
    values["name_key"] = match_key(data.name)
    with _references_checked({**values, "artist_id": data.artist_id}):
        row = None
        if data.artist is not None:
            row = await db.fetchrow(_CREATE_BY_ARTIST_KEY, {**values, "artist_key": match_key(data.artist)})
        if row is None:
            artist_id = data.artist_id if data.artist is None else await artist_id_for_name(db, data.artist)
            row = await db.fetchrow(_CREATE_BY_ID, {**values, "artist_id": artist_id})
    assert row is not None
    song_id: int = row["id"]
    if not data.genres:
        return song_id, row["document"], etag(row["version"])
    await _set_genres(db, song_id, data.genres, new=True)
    return song_id, *await render_song(db, song_id)


async def replace_song(db: Db, song_id: int, data: SongCreate, accepted: Accepted) -> None:
    values = await _column_values(db, data.model_dump())
    with _references_checked(values):
        await song_rows.update(db, song_id, values, accepted)
    await _set_genres(db, song_id, data.genres)


async def update_song(db: Db, song_id: int, data: SongUpdate, accepted: Accepted) -> None:
    changes = data.model_dump(exclude_unset=True)
    values = await _column_values(db, changes)
    current = await song_rows.row(db, song_id)
    album_id = values.get("album_id", current["album_id"])
    if album_id is None and ("album_id" in values):
        values.update(track_number=None, disc_number=None)
    elif album_id is None and (values.get("track_number") or values.get("disc_number")):
        raise InvalidReferenceError("album_id", "track_number and disc_number need an album_id")
    with _references_checked(values):
        await song_rows.update(db, song_id, values, accepted)
    if data.genres is not None:
        await _set_genres(db, song_id, data.genres)


async def delete_song(db: Db, song_id: int, accepted: Accepted) -> None:
    await song_rows.delete(db, song_id, accepted)


@functools.cache
def filtered_songs(include: frozenset[str], filters: frozenset[str]) -> Select[Any]:
    """Songs rendered with ``include``, narrowed by the named ``FILTERS`` (values bound later)."""
    return queries.songs_select(include).where(*(FILTERS[name] for name in sorted(filters)))

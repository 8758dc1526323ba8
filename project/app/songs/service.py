"""Song use cases, independent of HTTP."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, String, bindparam, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from app.albums.models import Album
from app.artists.models import Artist
from app.artists.service import get_or_create_artist
from app.core.pagination import Sortable, parse_datetime
from app.core.prepared import Prepared
from app.core.repository import Repository
from app.core.text import match_key
from app.errors import InvalidReferenceError, NotFoundError
from app.genres.models import Genre, SongGenre
from app.songs import queries
from app.songs.filters import FILTERS
from app.songs.models import Song, SongCreate, SongUpdate

song_rows = Repository(Song, "Song")
table = queries.songs

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


async def _resolve_artist_id(session: AsyncSession, name: str | None, artist_id: int | None) -> int:
    if name is not None:
        artist = await get_or_create_artist(session, name)
        assert artist.id is not None
        return artist.id
    assert artist_id is not None
    if await session.get(Artist, artist_id) is None:
        raise InvalidReferenceError("artist_id", f"Artist {artist_id} does not exist.")
    return artist_id


async def _check_album(session: AsyncSession, album_id: int | None) -> None:
    if album_id is not None and await session.get(Album, album_id) is None:
        raise InvalidReferenceError("album_id", f"Album {album_id} does not exist.")


async def _set_genres(
    session: AsyncSession, song_id: int, names: Sequence[str], *, new: bool = False
) -> None:
    """Link the song to exactly these genres, creating the ones that do not exist yet."""
    if not new:  # a song just created has no links to remove
        await session.execute(delete(SongGenre).where(SongGenre.song_id == song_id))  # type: ignore[arg-type]
    by_key = {match_key(name): name for name in names}
    if not by_key:
        return
    await session.execute(
        pg_insert(Genre)
        .values([{"name": name, "name_key": key} for key, name in by_key.items()])
        .on_conflict_do_nothing(index_elements=["name_key"])
    )
    genre_ids = select(Genre.id, song_id).where(Genre.name_key.in_(by_key))  # type: ignore[attr-defined, call-overload]
    await session.execute(insert(SongGenre).from_select(["genre_id", "song_id"], genre_ids))


async def _column_values(session: AsyncSession, data: dict[str, Any]) -> dict[str, Any]:
    values = {key: value for key, value in data.items() if key not in {"artist", "genres"}}
    if "name" in values:
        values["name_key"] = match_key(values["name"])
    if data.get("artist") is not None or data.get("artist_id") is not None:
        values["artist_id"] = await _resolve_artist_id(session, data.get("artist"), data.get("artist_id"))
    if "album_id" in values:
        await _check_album(session, values["album_id"])
    return values


@functools.cache
def _one_song(include: frozenset[str]) -> Prepared:
    return Prepared.compile(queries.songs_select(include).where(table.c.id == bindparam("song_id")))


async def render_song(session: AsyncSession, song_id: int, include: Sequence[str] = ()) -> tuple[str, int]:
    """The song's JSON document and version (its ETag), in one prepared query."""
    rows = await _one_song(frozenset(include)).fetch(session, {"song_id": song_id})
    if not rows:
        raise NotFoundError("Song", song_id)
    return rows[0]["document"], rows[0]["version"]


async def create_song(session: AsyncSession, data: SongCreate) -> int:
    values = await _column_values(session, data.model_dump())
    song = Song(**values)
    session.add(song)
    await session.flush()
    assert song.id is not None
    await _set_genres(session, song.id, data.genres, new=True)
    return song.id


async def replace_song(
    session: AsyncSession, song_id: int, data: SongCreate, accepted: list[int] | None
) -> None:
    values = await _column_values(session, data.model_dump())
    await song_rows.update(session, song_id, values, accepted)
    await _set_genres(session, song_id, data.genres)


async def update_song(
    session: AsyncSession, song_id: int, data: SongUpdate, accepted: list[int] | None
) -> None:
    changes = data.model_dump(exclude_unset=True)
    values = await _column_values(session, changes)
    current = await song_rows.get(session, song_id)
    album_id = values.get("album_id", current.album_id)
    if album_id is None and ("album_id" in values):
        values.update(track_number=None, disc_number=None)
    elif album_id is None and (values.get("track_number") or values.get("disc_number")):
        raise InvalidReferenceError("album_id", "track_number and disc_number need an album_id")
    await song_rows.update(session, song_id, values, accepted)
    if data.genres is not None:
        await _set_genres(session, song_id, data.genres)


async def delete_song(session: AsyncSession, song_id: int, accepted: list[int] | None) -> None:
    await song_rows.delete(session, song_id, accepted)


@functools.cache
def filtered_songs(include: frozenset[str], filters: frozenset[str]) -> Select[Any]:
    """Songs rendered with ``include``, narrowed by the named ``FILTERS`` (values bound later)."""
    return queries.songs_select(include).where(*(FILTERS[name] for name in sorted(filters)))

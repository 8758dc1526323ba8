"""Album use cases, independent of HTTP."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import exists, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.albums.models import Album, AlbumCreate, AlbumFields, AlbumUpdate
from app.artists.models import Artist
from app.core.pagination import Sortable, parse_date, parse_datetime
from app.core.repository import Repository
from app.core.text import match_key
from app.errors import ConflictError, InvalidReferenceError
from app.songs.models import Song

album_rows = Repository(Album, "Album")
table: Any = Album.__table__  # type: ignore[attr-defined]

SORTABLE = {
    "id": Sortable(table.c.id),
    "title": Sortable(table.c.title),
    "year": Sortable(table.c.year, nullable=True),
    "release_date": Sortable(table.c.release_date, nullable=True, parse=parse_date),
    "created_at": Sortable(table.c.created_at, parse=parse_datetime),
}


async def _check_artist(session: AsyncSession, artist_id: int | None) -> None:
    if artist_id is not None and await session.get(Artist, artist_id) is None:
        raise InvalidReferenceError("artist_id", f"Artist {artist_id} does not exist.")


def _with_title_key(values: dict[str, Any]) -> dict[str, Any]:
    if "title" in values:
        return {**values, "title_key": match_key(values["title"])}
    return values


async def create_album(session: AsyncSession, data: AlbumCreate) -> Album:
    await _check_artist(session, data.artist_id)
    album = Album(**_with_title_key(data.model_dump()))
    session.add(album)
    await session.flush()
    return album


async def replace_album(
    session: AsyncSession, album_id: int, data: AlbumCreate, accepted: list[int] | None
) -> Album:
    await _check_artist(session, data.artist_id)
    return await album_rows.update(session, album_id, _with_title_key(data.model_dump()), accepted)


async def update_album(
    session: AsyncSession, album_id: int, data: AlbumUpdate, accepted: list[int] | None
) -> Album:
    changes = data.model_dump(exclude_unset=True)
    await _check_artist(session, changes.get("artist_id"))
    current = AlbumFields.model_validate(await album_rows.get(session, album_id), from_attributes=True)
    if "release_date" in changes and "year" not in changes:
        current.year = None  # the new release date decides the year
    # Re-check the merged album so release_date and year cannot drift apart.
    try:
        merged = AlbumFields.model_validate({**current.model_dump(), **changes})
    except ValidationError as exc:
        raise InvalidReferenceError("year", "year and release_date disagree") from exc
    values = {key: getattr(merged, key) for key in {*changes, "year"}}
    return await album_rows.update(session, album_id, _with_title_key(values), accepted)


async def delete_album(session: AsyncSession, album_id: int, accepted: list[int] | None) -> None:
    await album_rows.get(session, album_id, for_update=True)
    if await session.scalar(select(exists().where(Song.album_id == album_id))):  # type: ignore[arg-type]
        raise ConflictError(
            f"Album {album_id} still has songs; delete them or take them off the album first.",
            constraint="fk_songs_album_id_albums",
        )
    await album_rows.delete(session, album_id, accepted)

"""Album use cases, independent of HTTP."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, exists, select

from app.albums.models import Album, AlbumCreate, AlbumFields, AlbumUpdate
from app.core.pagination import Sortable, parse_date, parse_datetime
from app.core.prepared import Prepared
from app.core.repository import Accepted, Repository
from app.core.text import match_key
from app.db import Db
from app.errors import ConflictError, InvalidReferenceError
from app.songs.queries import ALBUM_COLUMNS, artists, songs

table: Any = Album.__table__  # type: ignore[attr-defined]
album_rows = Repository(table, "Album", ALBUM_COLUMNS)

SORTABLE = {
    "id": Sortable(table.c.id),
    "title": Sortable(table.c.title),
    "year": Sortable(table.c.year, nullable=True),
    "release_date": Sortable(table.c.release_date, nullable=True, parse=parse_date),
    "created_at": Sortable(table.c.created_at, parse=parse_datetime),
}
_ARTIST_EXISTS = Prepared.compile(select(exists().where(artists.c.id == bindparam("artist_id"))))
_HAS_SONGS = Prepared.compile(select(exists().where(songs.c.album_id == bindparam("album_id"))))


async def _check_artist(db: Db, artist_id: int | None) -> None:
    if artist_id is not None and not await db.fetchval(_ARTIST_EXISTS, {"artist_id": artist_id}):
        raise InvalidReferenceError("artist_id", f"Artist {artist_id} does not exist.")


def _with_title_key(values: dict[str, Any]) -> dict[str, Any]:
    if "title" in values:
        return {**values, "title_key": match_key(values["title"])}
    return values


async def create_album(db: Db, data: AlbumCreate) -> Any:
    await _check_artist(db, data.artist_id)
    return await album_rows.insert(db, _with_title_key(data.model_dump()))


async def replace_album(db: Db, album_id: int, data: AlbumCreate, accepted: Accepted) -> Any:
    await _check_artist(db, data.artist_id)
    return await album_rows.update(db, album_id, _with_title_key(data.model_dump()), accepted)


async def update_album(db: Db, album_id: int, data: AlbumUpdate, accepted: Accepted) -> Any:
    changes = data.model_dump(exclude_unset=True)
    await _check_artist(db, changes.get("artist_id"))
    current = AlbumFields.model_validate(dict(await album_rows.row(db, album_id)))
    if "release_date" in changes and "year" not in changes:
        current.year = None  # the new release date decides the year
    # Re-check the merged album so release_date and year cannot drift apart.
    try:
        merged = AlbumFields.model_validate({**current.model_dump(), **changes})
    except ValidationError as exc:
        raise InvalidReferenceError("year", "year and release_date disagree") from exc
    values = {key: getattr(merged, key) for key in {*changes, "year"}}
    return await album_rows.update(db, album_id, _with_title_key(values), accepted)


async def delete_album(db: Db, album_id: int, accepted: Accepted) -> None:
    await album_rows.row(db, album_id, for_update=True)
    if await db.fetchval(_HAS_SONGS, {"album_id": album_id}):
        raise ConflictError(
            f"Album {album_id} still has songs; delete them or take them off the album first.",
            constraint="fk_songs_album_id_albums",
        )
    await album_rows.delete(db, album_id, accepted)

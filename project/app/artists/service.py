"""Artist use cases, independent of HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, bindparam, exists, func, select

from app.artists.models import Artist, ArtistCreate, ArtistUpdate
from app.core.pagination import Sortable, parse_datetime
from app.core.prepared import Prepared
from app.core.repository import Accepted, Repository
from app.core.text import match_key
from app.db import Db
from app.errors import ConflictError
from app.songs.queries import ARTIST_COLUMNS, albums, songs

table: Any = Artist.__table__  # type: ignore[attr-defined]
artists = Repository(table, "Artist", ARTIST_COLUMNS)

_LEADING_ARTICLES = ("the ", "a ", "an ")
_FIND_BY_KEY = Prepared.compile(
    select(table.c.id).where(table.c.name_key == bindparam("key")).order_by(table.c.id).limit(1)
)
_LOCK_KEY = Prepared.compile(select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("key"), 0))))
_IN_USE = Prepared.compile(
    select(
        exists().where(songs.c.artist_id == bindparam("artist_id")).label("has_songs"),
        exists().where(albums.c.artist_id == bindparam("artist_id")).label("has_albums"),
    )
)


def default_sort_name(name: str) -> str:
    """File "The Beatles" under B, as record shops and MusicBrainz do: "Beatles, The"."""
    lowered = name.lower()
    for article in _LEADING_ARTICLES:
        if lowered.startswith(article) and len(name) > len(article):
            return f"{name[len(article) :]}, {name[: len(article) - 1]}"
    return name


def _column_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "name" in values:
        values["name_key"] = match_key(values["name"])
    if "sort_name" in values and values["sort_name"] is None:
        values["sort_name"] = default_sort_name(values.get("name") or "")
    return values


async def create_artist(db: Db, data: ArtistCreate) -> Any:
    return await artists.insert(db, _column_values(data.model_dump()))


async def artist_id_for_name(db: Db, name: str) -> int:
    """The oldest artist whose name matches ``name`` ignoring case and accents, or a new one.

    Only a missing artist takes a lock: a transaction-scoped advisory lock on the name key
    serialises concurrent requests for the same new name, so two of them cannot both create
    it, while songs of an artist that exists are written side by side.
    """
    key = match_key(name)
    found: int | None = await db.fetchval(_FIND_BY_KEY, {"key": key})
    if found is not None:
        return found
    await db.execute(_LOCK_KEY, {"key": key})
    found = await db.fetchval(_FIND_BY_KEY, {"key": key})  # created while we waited for the lock?
    if found is not None:
        return found
    created = await create_artist(db, ArtistCreate(name=name))
    return int(created["id"])


async def replace_artist(db: Db, artist_id: int, data: ArtistCreate, accepted: Accepted) -> Any:
    return await artists.update(db, artist_id, _column_values(data.model_dump()), accepted)


async def update_artist(db: Db, artist_id: int, data: ArtistUpdate, accepted: Accepted) -> Any:
    changes = data.model_dump(exclude_unset=True)
    if "sort_name" in changes and changes["sort_name"] is None:
        current = await artists.row(db, artist_id)
        changes["name"] = changes.get("name") or current["name"]
    return await artists.update(db, artist_id, _column_values(changes), accepted)


async def delete_artist(db: Db, artist_id: int, accepted: Accepted) -> None:
    await artists.row(db, artist_id, for_update=True)
    in_use = await db.fetchrow(_IN_USE, {"artist_id": artist_id})
    assert in_use is not None
    has_songs, has_albums = in_use["has_songs"], in_use["has_albums"]
    if has_songs or has_albums:
        what = " and ".join(w for w, has in (("songs", has_songs), ("albums", has_albums)) if has)
        raise ConflictError(
            f"Artist {artist_id} still has {what}; delete them or move them to another artist first.",
            constraint="fk_songs_artist_id_artists" if has_songs else "fk_albums_artist_id_artists",
        )
    await artists.delete(db, artist_id, accepted)


SORTABLE = {
    "id": Sortable(table.c.id),
    "name": Sortable(table.c.name_key),
    "sort_name": Sortable(func.lower(table.c.sort_name, type_=String)),
    "created_at": Sortable(table.c.created_at, parse=parse_datetime),
}

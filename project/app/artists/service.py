"""Artist use cases, independent of HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, exists, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.albums.models import Album
from app.artists.models import Artist, ArtistCreate, ArtistUpdate
from app.core.pagination import Sortable, parse_datetime
from app.core.repository import Repository
from app.core.text import match_key
from app.errors import ConflictError
from app.songs.models import Song

artists = Repository(Artist, "Artist")
table: Any = Artist.__table__  # type: ignore[attr-defined]

_LEADING_ARTICLES = ("the ", "a ", "an ")


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


async def create_artist(session: AsyncSession, data: ArtistCreate) -> Artist:
    values = _column_values(data.model_dump())
    artist = Artist(**values)
    session.add(artist)
    await session.flush()
    return artist


async def get_or_create_artist(session: AsyncSession, name: str) -> Artist:
    """The oldest artist whose name matches ``name`` ignoring case and accents, or a new one.

    A transaction-scoped advisory lock on the name key serialises concurrent requests for the
    same new name, so two of them cannot both create it.
    """
    key = match_key(name)
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    statement = select(Artist).where(Artist.name_key == key).order_by(Artist.id).limit(1)  # type: ignore[arg-type]
    found: Artist | None = (await session.execute(statement)).scalar_one_or_none()
    if found is not None:
        return found
    return await create_artist(session, ArtistCreate(name=name))


async def replace_artist(
    session: AsyncSession, artist_id: int, data: ArtistCreate, accepted: list[int] | None
) -> Artist:
    return await artists.update(session, artist_id, _column_values(data.model_dump()), accepted)


async def update_artist(
    session: AsyncSession, artist_id: int, data: ArtistUpdate, accepted: list[int] | None
) -> Artist:
    changes = data.model_dump(exclude_unset=True)
    if "sort_name" in changes and changes["sort_name"] is None:
        current = await artists.get(session, artist_id)
        changes["name"] = changes.get("name") or current.name
    return await artists.update(session, artist_id, _column_values(changes), accepted)


async def delete_artist(session: AsyncSession, artist_id: int, accepted: list[int] | None) -> None:
    await artists.get(session, artist_id, for_update=True)
    has_songs = await session.scalar(select(exists().where(Song.artist_id == artist_id)))  # type: ignore[arg-type]
    has_albums = await session.scalar(select(exists().where(Album.artist_id == artist_id)))  # type: ignore[arg-type]
    if has_songs or has_albums:
        what = " and ".join(w for w, has in (("songs", has_songs), ("albums", has_albums)) if has)
        raise ConflictError(
            f"Artist {artist_id} still has {what}; delete them or move them to another artist first.",
            constraint="fk_songs_artist_id_artists" if has_songs else "fk_albums_artist_id_artists",
        )
    await artists.delete(session, artist_id, accepted)


SORTABLE = {
    "id": Sortable(table.c.id),
    "name": Sortable(table.c.name_key),
    "sort_name": Sortable(func.lower(table.c.sort_name, type_=String)),
    "created_at": Sortable(table.c.created_at, parse=parse_datetime),
}

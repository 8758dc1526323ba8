"""Genre use cases, independent of HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.pagination import Sortable
from app.core.repository import Repository
from app.core.text import match_key
from app.errors import ConflictError
from app.genres.models import Genre, GenreCreate, SongGenre

genre_rows = Repository(Genre, "Genre")
table: Any = Genre.__table__  # type: ignore[attr-defined]

SORTABLE = {"id": Sortable(table.c.id), "name": Sortable(table.c.name_key)}


def _column_values(data: GenreCreate) -> dict[str, Any]:
    return {"name": data.name, "name_key": match_key(data.name)}


async def create_genre(session: AsyncSession, data: GenreCreate) -> Genre:
    genre = Genre(**_column_values(data))
    session.add(genre)
    await session.flush()
    return genre


async def update_genre(
    session: AsyncSession, genre_id: int, data: GenreCreate, accepted: list[int] | None
) -> Genre:
    return await genre_rows.update(session, genre_id, _column_values(data), accepted)


async def delete_genre(session: AsyncSession, genre_id: int, accepted: list[int] | None) -> None:
    await genre_rows.get(session, genre_id, for_update=True)
    if await session.scalar(select(exists().where(SongGenre.genre_id == genre_id))):  # type: ignore[arg-type]
        raise ConflictError(
            f"Genre {genre_id} is still given to songs; take it off them first.",
            constraint="fk_song_genres_genre_id_genres",
        )
    await genre_rows.delete(session, genre_id, accepted)

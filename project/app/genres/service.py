"""Genre use cases, independent of HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, exists, select

from app.core.pagination import Sortable
from app.core.prepared import Prepared
from app.core.repository import Accepted, Repository
from app.core.text import match_key
from app.db import Db
from app.errors import ConflictError
from app.genres.models import Genre, GenreCreate
from app.songs.queries import GENRE_COLUMNS, song_genres

table: Any = Genre.__table__  # type: ignore[attr-defined]
genre_rows = Repository(table, "Genre", GENRE_COLUMNS)

SORTABLE = {"id": Sortable(table.c.id), "name": Sortable(table.c.name_key)}
_IN_USE = Prepared.compile(select(exists().where(song_genres.c.genre_id == bindparam("genre_id"))))


def _column_values(data: GenreCreate) -> dict[str, Any]:
    return {"name": data.name, "name_key": match_key(data.name)}


async def create_genre(db: Db, data: GenreCreate) -> Any:
    return await genre_rows.insert(db, _column_values(data))


async def update_genre(db: Db, genre_id: int, data: GenreCreate, accepted: Accepted) -> Any:
    return await genre_rows.update(db, genre_id, _column_values(data), accepted)


async def delete_genre(db: Db, genre_id: int, accepted: Accepted) -> None:
    await genre_rows.row(db, genre_id, for_update=True)
    if await db.fetchval(_IN_USE, {"genre_id": genre_id}):
        raise ConflictError(
            f"Genre {genre_id} is still given to songs; take it off them first.",
            constraint="fk_song_genres_genre_id_genres",
        )
    await genre_rows.delete(db, genre_id, accepted)

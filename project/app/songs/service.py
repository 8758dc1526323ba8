"""Song use cases, independent of HTTP."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFoundError
from app.songs.models import Song, SongCreate


async def create_song(session: AsyncSession, data: SongCreate) -> Song:
    song = Song(**data.model_dump())
    session.add(song)
    await session.flush()
    return song


async def get_song(session: AsyncSession, song_id: int) -> Song:
    song = await session.get(Song, song_id)
    if song is None:
        raise NotFoundError("Song", song_id)
    return song


async def list_songs(session: AsyncSession, *, limit: int, offset: int) -> Sequence[Song]:
    statement = select(Song).order_by(col(Song.id)).limit(limit).offset(offset)
    return (await session.exec(statement)).all()

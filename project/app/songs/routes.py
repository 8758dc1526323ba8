"""HTTP routes for /songs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from app.db import SessionDep
from app.problems import problem_responses
from app.songs import service
from app.songs.models import Song, SongCreate, SongPublic

router = APIRouter(prefix="/songs", tags=["songs"])

SongId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The song's id.")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SongPublic,
    summary="Create a song",
    responses=problem_responses(422),
)
async def create_song(data: SongCreate, session: SessionDep, response: Response) -> Song:
    song = await service.create_song(session, data)
    response.headers["Location"] = f"/songs/{song.id}"
    return song


@router.get(
    "",
    response_model=list[SongPublic],
    summary="List songs",
    responses=problem_responses(422),
)
async def list_songs(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, description="Songs to skip.")] = 0,
) -> Sequence[Song]:
    return await service.list_songs(session, limit=limit, offset=offset)


@router.get(
    "/{song_id}",
    response_model=SongPublic,
    summary="Get a song",
    responses=problem_responses(404, 422),
)
async def get_song(song_id: SongId, session: SessionDep) -> Song:
    return await service.get_song(session, song_id)

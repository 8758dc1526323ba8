"""HTTP routes for /songs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from sqlalchemy import RowMapping

from app.core.conditional import IfMatch, IfNoneMatch, accepted_versions, not_modified
from app.core.listing import Page
from app.core.pagination import Ordering, Sortable
from app.core.responses import (
    CHANGE_PROBLEMS,
    ITEM_PROBLEMS,
    LIST_PROBLEMS,
    NOT_MODIFIED,
    describe_created,
    describe_etag,
    describe_page,
)
from app.db import SessionDep
from app.search import service as search
from app.search.kinds import SONG
from app.songs import service
from app.songs.filters import INCLUDABLE, IncludeParams, SongListParams
from app.songs.models import SongCreate, SongIncluded, SongPublic, SongUpdate

router = APIRouter(prefix="/songs", tags=["songs"])

SongId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The song's id.")]


def song_public(row: RowMapping) -> SongPublic:
    included = None
    if any(f"included_{name}" in row for name in INCLUDABLE):
        included = SongIncluded(
            artist=row.get("included_artist"),
            album=row.get("included_album"),
            genres=row.get("included_genres"),
        )
    data: dict[str, Any] = {key: row[key] for key in row if not key.startswith(("included_", "sort_"))}
    return SongPublic(**data, included=included)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a song",
    description="Give the artist by name (`artist`, found or created ignoring case and accents) "
    "or by id (`artist_id`). Genres are given by name and created as needed.",
    responses=CHANGE_PROBLEMS,
)
async def create_song(data: SongCreate, session: SessionDep, response: Response) -> SongPublic:
    song_id = await service.create_song(session, data)
    song = song_public(await service.render_song(session, song_id))
    describe_created(response, f"/songs/{song_id}", song.version)
    return song


@router.get("", summary="List songs", responses=LIST_PROBLEMS)
async def list_songs(
    request: Request,
    response: Response,
    session: SessionDep,
    params: Annotated[SongListParams, Query()],
) -> Page[SongPublic]:
    return await song_page(request, response, session, params)


async def song_page(
    request: Request,
    response: Response,
    session: SessionDep,
    params: SongListParams,
    *,
    scope: Sequence[Any] = (),
    default_sort: str = "id",
) -> Page[SongPublic]:
    """A page of songs for any song list: filters, optional search (`q`), sort and cursor."""
    conditions = [*scope, *params.conditions()]
    sortable = service.SORTABLE
    if params.q is not None:
        fuzzy = params.match == "fuzzy" and await search.fuzzy_search_available(request.app, session)
        plan = await search.make_plan(session, params.q, fuzzy=fuzzy)
        conditions.append(plan.condition(SONG, fuzzy=fuzzy))
        sortable = {**sortable, "relevance": Sortable(plan.relevance(SONG, fuzzy=fuzzy), parse=float)}
        default_sort = "-relevance"
    rows, next_cursor = await service.list_songs(
        session,
        conditions=conditions,
        ordering=Ordering.parse(params.sort, sortable, default=default_sort),
        include=params.inclusions(),
        cursor=params.cursor,
        limit=params.limit,
    )
    describe_page(request, response, next_cursor)
    return Page(items=[song_public(row) for row in rows], next_cursor=next_cursor)


@router.get("/{song_id}", summary="Get a song", responses={**ITEM_PROBLEMS, **NOT_MODIFIED})
async def get_song(
    song_id: SongId,
    session: SessionDep,
    response: Response,
    params: Annotated[IncludeParams, Query()],
    if_none_match: IfNoneMatch = None,
) -> Any:
    song = song_public(await service.render_song(session, song_id, params.inclusions()))
    if not_modified(if_none_match, song.version):
        return Response(status_code=304, headers={"ETag": f'"{song.version}"'})
    describe_etag(song.version, response)
    return song


@router.put("/{song_id}", summary="Replace a song", responses=CHANGE_PROBLEMS)
async def replace_song(
    song_id: SongId, data: SongCreate, session: SessionDep, response: Response,
    if_match: IfMatch = None,
) -> SongPublic:  # fmt: skip
    await service.replace_song(session, song_id, data, accepted_versions(if_match))
    song = song_public(await service.render_song(session, song_id))
    describe_etag(song.version, response)
    return song


@router.patch("/{song_id}", summary="Change some fields of a song", responses=CHANGE_PROBLEMS)
async def update_song(
    song_id: SongId, data: SongUpdate, session: SessionDep, response: Response,
    if_match: IfMatch = None,
) -> SongPublic:  # fmt: skip
    await service.update_song(session, song_id, data, accepted_versions(if_match))
    song = song_public(await service.render_song(session, song_id))
    describe_etag(song.version, response)
    return song


@router.delete("/{song_id}", status_code=204, summary="Delete a song", responses=CHANGE_PROBLEMS)
async def delete_song(song_id: SongId, session: SessionDep, if_match: IfMatch = None) -> Response:
    await service.delete_song(session, song_id, accepted_versions(if_match))
    return Response(status_code=204)

"""HTTP routes for /songs."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from app.core.conditional import IfMatch, IfNoneMatch, accepted_versions, not_modified
from app.core.listing import Page
from app.core.pagination import Ordering, Sortable, fetch_page
from app.core.responses import (
    CHANGE_PROBLEMS,
    ITEM_PROBLEMS,
    LIST_PROBLEMS,
    NOT_MODIFIED,
    documents_page,
)
from app.core.routing import PlannedRoute
from app.db import DbDep, Queries, ReadDbDep
from app.search import service as search
from app.search.kinds import SONG
from app.songs import service
from app.songs.filters import IncludeParams, SongListParams
from app.songs.models import SongCreate, SongPublic, SongUpdate

router = APIRouter(prefix="/songs", tags=["songs"], route_class=PlannedRoute)

SongId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The song's id.")]


def song_response(document: str, tag: str, status_code: int = 200) -> Response:
    """A song rendered by PostgreSQL (see ``songs.queries``), with its ETag."""
    return Response(document, status_code=status_code, media_type="application/json", headers={"ETag": tag})


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a song",
    description="Give the artist by name (`artist`, found or created ignoring case and accents) "
    "or by id (`artist_id`). Genres are given by name and created as needed.",
    responses=CHANGE_PROBLEMS,
    response_model=SongPublic,
)
async def create_song(data: SongCreate, db: DbDep) -> Response:
    song_id, document, tag = await service.create_song(db, data)
    response = song_response(document, tag, status_code=201)
    response.headers["Location"] = f"/songs/{song_id}"
    return response


@router.get("", summary="List songs", responses=LIST_PROBLEMS, response_model=Page[SongPublic])
async def list_songs(request: Request, db: ReadDbDep, params: Annotated[SongListParams, Query()]) -> Response:
    return await song_page(request, db, params)


async def song_page(
    request: Request,
    db: Queries,
    params: SongListParams,
    *,
    scope: dict[str, int] | None = None,
    default_sort: str = "id",
) -> Response:
    """A page of songs for any song list: filters, optional search (`q`), sort and cursor.

    ``scope`` narrows the list further (``scope_artist_id``, ``scope_album_id`` in ``FILTERS``).
    """
    filters = {**params.filter_values(), **(scope or {})}
    include = frozenset(params.inclusions())
    statement = service.filtered_songs(include, frozenset(filters))
    shape: Hashable | None = ("songs", include, frozenset(filters))
    sortable = service.SORTABLE
    if params.q is not None:
        fuzzy = params.match == "fuzzy" and await search.fuzzy_search_available(request.app, db)
        plan = await search.make_plan(db, params.q, fuzzy=fuzzy)
        statement = statement.where(plan.condition(SONG, fuzzy=fuzzy))
        sortable = {**sortable, "relevance": Sortable(plan.relevance(SONG, fuzzy=fuzzy), parse=float)}
        default_sort, shape = "-relevance", None  # a search's statement holds its own values
    rows, next_cursor = await fetch_page(
        db,
        statement,
        Ordering.parse(params.sort, sortable, default=default_sort),
        cursor=params.cursor,
        limit=params.limit,
        parameters=filters,
        shape=shape,
    )
    return documents_page(request, rows, next_cursor)


@router.get(
    "/{song_id}", summary="Get a song", responses={**ITEM_PROBLEMS, **NOT_MODIFIED}, response_model=SongPublic
)
async def get_song(
    song_id: SongId,
    db: ReadDbDep,
    params: Annotated[IncludeParams, Query()],
    if_none_match: IfNoneMatch = None,
) -> Response:
    document, tag = await service.render_song(db, song_id, params.inclusions())
    if not_modified(if_none_match, tag):
        return Response(status_code=304, headers={"ETag": tag})
    return song_response(document, tag)


@router.put("/{song_id}", summary="Replace a song", responses=CHANGE_PROBLEMS, response_model=SongPublic)
async def replace_song(song_id: SongId, data: SongCreate, db: DbDep, if_match: IfMatch = None) -> Response:
    await service.replace_song(db, song_id, data, accepted_versions(if_match))
    return song_response(*await service.render_song(db, song_id))


@router.patch(
    "/{song_id}", summary="Change some fields of a song", responses=CHANGE_PROBLEMS, response_model=SongPublic
)
async def update_song(song_id: SongId, data: SongUpdate, db: DbDep, if_match: IfMatch = None) -> Response:
    await service.update_song(db, song_id, data, accepted_versions(if_match))
    return song_response(*await service.render_song(db, song_id))


@router.delete("/{song_id}", status_code=204, summary="Delete a song", responses=CHANGE_PROBLEMS)
async def delete_song(song_id: SongId, db: DbDep, if_match: IfMatch = None) -> Response:
    await service.delete_song(db, song_id, accepted_versions(if_match))
    return Response(status_code=204)

"""HTTP routes for /genres."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from app.core.conditional import IfMatch, IfNoneMatch, accepted_versions, not_modified
from app.core.listing import ListParams, Page
from app.core.pagination import Ordering
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
from app.genres import service
from app.genres.models import Genre, GenreCreate, GenrePublic

router = APIRouter(prefix="/genres", tags=["genres"])

GenreId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The genre's id.")]


async def existing_genre(genre_id: GenreId, session: SessionDep) -> Genre:
    """The genre named in the path, or a 404 problem: the one place that checks it."""
    return await service.genre_rows.get(session, genre_id)


def _public(genre: Genre, response: Response) -> GenrePublic:
    describe_etag(genre.version, response)
    return GenrePublic.model_validate(genre)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a genre", responses=CHANGE_PROBLEMS)
async def create_genre(data: GenreCreate, session: SessionDep, response: Response) -> GenrePublic:
    genre = await service.create_genre(session, data)
    describe_created(response, f"/genres/{genre.id}", genre.version)
    return GenrePublic.model_validate(genre)


@router.get("", summary="List genres", responses=LIST_PROBLEMS)
async def list_genres(
    request: Request, response: Response, session: SessionDep, params: Annotated[ListParams, Query()]
) -> Page[GenrePublic]:
    rows, next_cursor = await service.list_genres(
        session,
        ordering=Ordering.parse(params.sort, service.SORTABLE),
        cursor=params.cursor,
        limit=params.limit,
    )
    describe_page(request, response, next_cursor)
    return Page(items=[GenrePublic.model_validate(row["Genre"]) for row in rows], next_cursor=next_cursor)


@router.get("/{genre_id}", summary="Get a genre", responses={**ITEM_PROBLEMS, **NOT_MODIFIED})
async def get_genre(
    genre: Annotated[Genre, Depends(existing_genre)], response: Response, if_none_match: IfNoneMatch = None
) -> Any:
    if not_modified(if_none_match, genre.version):
        return Response(status_code=304, headers={"ETag": f'"{genre.version}"'})
    return _public(genre, response)


@router.put("/{genre_id}", summary="Rename a genre", responses=CHANGE_PROBLEMS)
async def replace_genre(
    genre_id: GenreId, data: GenreCreate, session: SessionDep, response: Response, if_match: IfMatch = None
) -> GenrePublic:
    return _public(await service.update_genre(session, genre_id, data, accepted_versions(if_match)), response)


@router.patch("/{genre_id}", summary="Rename a genre (same as PUT)", responses=CHANGE_PROBLEMS)
async def update_genre(
    genre_id: GenreId, data: GenreCreate, session: SessionDep, response: Response, if_match: IfMatch = None
) -> GenrePublic:
    return _public(await service.update_genre(session, genre_id, data, accepted_versions(if_match)), response)


@router.delete(
    "/{genre_id}",
    status_code=204,
    summary="Delete a genre",
    description="Refused with 409 while songs still have the genre.",
    responses=CHANGE_PROBLEMS,
)
async def delete_genre(genre_id: GenreId, session: SessionDep, if_match: IfMatch = None) -> Response:
    await service.delete_genre(session, genre_id, accepted_versions(if_match))
    return Response(status_code=204)

"""HTTP routes for /albums, and an album's track list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from app.albums import service
from app.albums.filters import AlbumListParams
from app.albums.models import Album, AlbumCreate, AlbumPublic, AlbumUpdate
from app.core.conditional import IfMatch, IfNoneMatch, accepted_versions, not_modified
from app.core.listing import Page
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
from app.songs.filters import SongListParams
from app.songs.models import SongPublic
from app.songs.routes import song_page

router = APIRouter(prefix="/albums", tags=["albums"])

AlbumId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The album's id.")]
TRACK_ORDER = "disc_number,track_number"


async def existing_album(album_id: AlbumId, session: SessionDep) -> Album:
    """The album named in the path, or a 404 problem: the one place that checks it."""
    return await service.album_rows.get(session, album_id)


ExistingAlbum = Annotated[Album, Depends(existing_album)]


def _public(album: Album, response: Response) -> AlbumPublic:
    describe_etag(album.version, response)
    return AlbumPublic.model_validate(album)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an album", responses=CHANGE_PROBLEMS)
async def create_album(data: AlbumCreate, session: SessionDep, response: Response) -> AlbumPublic:
    album = await service.create_album(session, data)
    describe_created(response, f"/albums/{album.id}", album.version)
    return AlbumPublic.model_validate(album)


@router.get("", summary="List albums", responses=LIST_PROBLEMS)
async def list_albums(
    request: Request, response: Response, session: SessionDep, params: Annotated[AlbumListParams, Query()]
) -> Page[AlbumPublic]:
    rows, next_cursor = await service.list_albums(
        session,
        conditions=params.conditions(),
        ordering=Ordering.parse(params.sort, service.SORTABLE),
        cursor=params.cursor,
        limit=params.limit,
    )
    describe_page(request, response, next_cursor)
    return Page(items=[AlbumPublic.model_validate(row["Album"]) for row in rows], next_cursor=next_cursor)


@router.get("/{album_id}", summary="Get an album", responses={**ITEM_PROBLEMS, **NOT_MODIFIED})
async def get_album(album: ExistingAlbum, response: Response, if_none_match: IfNoneMatch = None) -> Any:
    if not_modified(if_none_match, album.version):
        return Response(status_code=304, headers={"ETag": f'"{album.version}"'})
    return _public(album, response)


@router.put("/{album_id}", summary="Replace an album", responses=CHANGE_PROBLEMS)
async def replace_album(
    album_id: AlbumId, data: AlbumCreate, session: SessionDep, response: Response, if_match: IfMatch = None
) -> AlbumPublic:
    return _public(
        await service.replace_album(session, album_id, data, accepted_versions(if_match)), response
    )


@router.patch("/{album_id}", summary="Change some fields of an album", responses=CHANGE_PROBLEMS)
async def update_album(
    album_id: AlbumId, data: AlbumUpdate, session: SessionDep, response: Response, if_match: IfMatch = None
) -> AlbumPublic:
    return _public(await service.update_album(session, album_id, data, accepted_versions(if_match)), response)


@router.delete(
    "/{album_id}",
    status_code=204,
    summary="Delete an album",
    description="Refused with 409 while songs are still on the album.",
    responses=CHANGE_PROBLEMS,
)
async def delete_album(album_id: AlbumId, session: SessionDep, if_match: IfMatch = None) -> Response:
    await service.delete_album(session, album_id, accepted_versions(if_match))
    return Response(status_code=204)


@router.get(
    "/{album_id}/songs",
    summary="List an album's songs in track order",
    description=f"Sorted by `{TRACK_ORDER}` unless `sort` says otherwise.",
    responses={**LIST_PROBLEMS, **ITEM_PROBLEMS},
    response_model=Page[SongPublic],
)
async def list_album_songs(
    album: ExistingAlbum,
    request: Request,
    session: SessionDep,
    params: Annotated[SongListParams, Query()],
) -> Response:
    assert album.id is not None
    scope = {"scope_album_id": album.id}
    return await song_page(request, session, params, scope=scope, default_sort=TRACK_ORDER)

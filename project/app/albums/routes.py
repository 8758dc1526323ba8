"""HTTP routes for /albums, and an album's track list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.albums import service
from app.albums.filters import FILTERS, AlbumListParams
from app.albums.models import AlbumCreate, AlbumPublic, AlbumUpdate
from app.core.listing import Page
from app.core.resource_routes import Resource, Written, add_resource_routes
from app.core.responses import ITEM_PROBLEMS, LIST_PROBLEMS
from app.core.routing import PlannedRoute
from app.db import ReadDbDep
from app.songs.filters import SongListParams
from app.songs.models import SongPublic
from app.songs.routes import song_page

router = APIRouter(prefix="/albums", tags=["albums"], route_class=PlannedRoute)

TRACK_ORDER = "disc_number,track_number"

album_resource = Resource(
    noun="album",
    rows=service.album_rows,
    public=AlbumPublic,
    create_body=AlbumCreate,
    update_body=AlbumUpdate,
    list_params=AlbumListParams,
    sortable=service.SORTABLE,
    create=service.create_album,
    replace=service.replace_album,
    update=service.update_album,
    delete=service.delete_album,
    delete_refused_when="songs are still on the album",
    filters=FILTERS,
)
existing_album = add_resource_routes(router, album_resource)
ExistingAlbum = Annotated[Written, Depends(existing_album)]


@router.get(
    "/{album_id}/songs",
    summary="List an album's songs in track order",
    description=f"Sorted by `{TRACK_ORDER}` unless `sort` says otherwise.",
    responses={**LIST_PROBLEMS, **ITEM_PROBLEMS},
    response_model=Page[SongPublic],
)
async def list_album_songs(
    album: ExistingAlbum, request: Request, db: ReadDbDep, params: Annotated[SongListParams, Query()]
) -> Response:
    scope = {"scope_album_id": album["id"]}
    return await song_page(request, db, params, scope=scope, default_sort=TRACK_ORDER)

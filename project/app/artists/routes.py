"""HTTP routes for /artists, and the artist's songs and albums."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from sqlalchemy import bindparam

from app.albums.filters import AlbumListParams
from app.albums.models import AlbumPublic
from app.albums.routes import album_resource
from app.artists import service
from app.artists.models import ArtistCreate, ArtistPublic, ArtistUpdate
from app.core.listing import ListParams, Page
from app.core.resource_routes import Resource, Written, add_resource_routes
from app.core.responses import ITEM_PROBLEMS, LIST_PROBLEMS
from app.core.routing import PlannedRoute
from app.core.text import match_key
from app.db import ReadDbDep
from app.songs.filters import SongListParams
from app.songs.models import SongPublic
from app.songs.routes import song_page

router = APIRouter(prefix="/artists", tags=["artists"], route_class=PlannedRoute)


class ArtistListParams(ListParams):
    name: str | None = Field(
        default=None, max_length=200, description="Exact name, ignoring case and accents."
    )
    country: str | None = Field(default=None, min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")

    def filter_values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.name is not None:
            found["name"] = match_key(self.name)
        if self.country is not None:
            found["country"] = self.country.upper()
        return found


existing_artist = add_resource_routes(
    router,
    Resource(
        noun="artist",
        rows=service.artists,
        public=ArtistPublic,
        create_body=ArtistCreate,
        update_body=ArtistUpdate,
        list_params=ArtistListParams,
        sortable=service.SORTABLE,
        create=service.create_artist,
        replace=service.replace_artist,
        update=service.update_artist,
        delete=service.delete_artist,
        delete_refused_when="the artist still has songs or albums",
        filters={
            "name": service.table.c.name_key == bindparam("name"),
            "country": service.table.c.country == bindparam("country"),
        },
    ),
)
ExistingArtist = Annotated[Written, Depends(existing_artist)]


@router.get(
    "/{artist_id}/songs",
    summary="List an artist's songs",
    responses={**LIST_PROBLEMS, **ITEM_PROBLEMS},
    response_model=Page[SongPublic],
)
async def list_artist_songs(
    artist: ExistingArtist, request: Request, db: ReadDbDep, params: Annotated[SongListParams, Query()]
) -> Response:
    return await song_page(request, db, params, scope={"scope_artist_id": artist["id"]})


@router.get(
    "/{artist_id}/albums",
    summary="List an artist's albums",
    responses={**LIST_PROBLEMS, **ITEM_PROBLEMS},
    response_model=Page[AlbumPublic],
)
async def list_artist_albums(
    artist: ExistingArtist, request: Request, db: ReadDbDep, params: Annotated[AlbumListParams, Query()]
) -> Response:
    scope = {"scope_artist_id": artist["id"]}
    return await album_resource.page(request, db, params, scope=scope)

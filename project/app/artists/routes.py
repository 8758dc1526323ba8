"""HTTP routes for /artists, and the artist's songs and albums."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from sqlalchemy import select

from app.albums import service as albums_service
from app.albums.filters import AlbumListParams
from app.albums.models import Album, AlbumPublic
from app.artists import service
from app.artists.models import Artist, ArtistCreate, ArtistPublic, ArtistUpdate
from app.core.listing import ListParams, Page
from app.core.pagination import Ordering, fetch_page
from app.core.resource_routes import Resource, add_resource_routes
from app.core.responses import ITEM_PROBLEMS, LIST_PROBLEMS, describe_page
from app.core.text import match_key
from app.db import SessionDep
from app.songs.filters import SongListParams
from app.songs.models import SongPublic
from app.songs.routes import song_page

router = APIRouter(prefix="/artists", tags=["artists"])


class ArtistListParams(ListParams):
    name: str | None = Field(
        default=None, max_length=200, description="Exact name, ignoring case and accents."
    )
    country: str | None = Field(default=None, min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")

    def conditions(self) -> list[Any]:
        found: list[Any] = []
        if self.name is not None:
            found.append(service.table.c.name_key == match_key(self.name))
        if self.country is not None:
            found.append(service.table.c.country == self.country.upper())
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
    ),
)
ExistingArtist = Annotated[Artist, Depends(existing_artist)]


@router.get(
    "/{artist_id}/songs",
    summary="List an artist's songs",
    responses={**LIST_PROBLEMS, **ITEM_PROBLEMS},
    response_model=Page[SongPublic],
)
async def list_artist_songs(
    artist: ExistingArtist,
    request: Request,
    session: SessionDep,
    params: Annotated[SongListParams, Query()],
) -> Response:
    assert artist.id is not None
    return await song_page(request, session, params, scope={"scope_artist_id": artist.id})


@router.get(
    "/{artist_id}/albums", summary="List an artist's albums", responses={**LIST_PROBLEMS, **ITEM_PROBLEMS}
)
async def list_artist_albums(
    artist: ExistingArtist,
    request: Request,
    response: Response,
    session: SessionDep,
    params: Annotated[AlbumListParams, Query()],
) -> Page[AlbumPublic]:
    rows, next_cursor = await fetch_page(
        session,
        select(Album).where(albums_service.table.c.artist_id == artist.id, *params.conditions()),
        Ordering.parse(params.sort, albums_service.SORTABLE),
        cursor=params.cursor,
        limit=params.limit,
    )
    describe_page(request, response, next_cursor)
    return Page(items=[AlbumPublic.model_validate(row["Album"]) for row in rows], next_cursor=next_cursor)

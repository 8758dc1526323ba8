"""HTTP routes for /artists, and the artist's songs and albums."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import Field

from app.albums import service as albums_service
from app.albums.filters import AlbumListParams
from app.albums.models import AlbumPublic
from app.artists import service
from app.artists.models import Artist, ArtistCreate, ArtistPublic, ArtistUpdate
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
from app.core.text import match_key
from app.db import SessionDep
from app.songs.filters import SongListParams
from app.songs.models import SongPublic
from app.songs.routes import song_page

router = APIRouter(prefix="/artists", tags=["artists"])

ArtistId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The artist's id.")]


async def existing_artist(artist_id: ArtistId, session: SessionDep) -> Artist:
    """The artist named in the path, or a 404 problem: the one place that checks it."""
    return await service.artists.get(session, artist_id)


ExistingArtist = Annotated[Artist, Depends(existing_artist)]


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


def _public(artist: Artist, response: Response) -> ArtistPublic:
    describe_etag(artist.version, response)
    return ArtistPublic.model_validate(artist)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an artist", responses=CHANGE_PROBLEMS)
async def create_artist(data: ArtistCreate, session: SessionDep, response: Response) -> ArtistPublic:
    artist = await service.create_artist(session, data)
    describe_created(response, f"/artists/{artist.id}", artist.version)
    return ArtistPublic.model_validate(artist)


@router.get("", summary="List artists", responses=LIST_PROBLEMS)
async def list_artists(
    request: Request, response: Response, session: SessionDep, params: Annotated[ArtistListParams, Query()]
) -> Page[ArtistPublic]:
    rows, next_cursor = await service.list_artists(
        session,
        conditions=params.conditions(),
        ordering=Ordering.parse(params.sort, service.SORTABLE),
        cursor=params.cursor,
        limit=params.limit,
    )
    describe_page(request, response, next_cursor)
    return Page(items=[ArtistPublic.model_validate(row["Artist"]) for row in rows], next_cursor=next_cursor)


@router.get("/{artist_id}", summary="Get an artist", responses={**ITEM_PROBLEMS, **NOT_MODIFIED})
async def get_artist(artist: ExistingArtist, response: Response, if_none_match: IfNoneMatch = None) -> Any:
    if not_modified(if_none_match, artist.version):
        return Response(status_code=304, headers={"ETag": f'"{artist.version}"'})
    return _public(artist, response)


@router.put("/{artist_id}", summary="Replace an artist", responses=CHANGE_PROBLEMS)
async def replace_artist(
    artist_id: ArtistId, data: ArtistCreate, session: SessionDep, response: Response, if_match: IfMatch = None
) -> ArtistPublic:
    return _public(
        await service.replace_artist(session, artist_id, data, accepted_versions(if_match)), response
    )


@router.patch("/{artist_id}", summary="Change some fields of an artist", responses=CHANGE_PROBLEMS)
async def update_artist(
    artist_id: ArtistId, data: ArtistUpdate, session: SessionDep, response: Response, if_match: IfMatch = None
) -> ArtistPublic:
    return _public(
        await service.update_artist(session, artist_id, data, accepted_versions(if_match)), response
    )


@router.delete(
    "/{artist_id}",
    status_code=204,
    summary="Delete an artist",
    description="Refused with 409 while the artist still has songs or albums.",
    responses=CHANGE_PROBLEMS,
)
async def delete_artist(artist_id: ArtistId, session: SessionDep, if_match: IfMatch = None) -> Response:
    await service.delete_artist(session, artist_id, accepted_versions(if_match))
    return Response(status_code=204)


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
    rows, next_cursor = await albums_service.list_albums(
        session,
        conditions=[albums_service.table.c.artist_id == artist.id, *params.conditions()],
        ordering=Ordering.parse(params.sort, albums_service.SORTABLE),
        cursor=params.cursor,
        limit=params.limit,
    )
    describe_page(request, response, next_cursor)
    return Page(items=[AlbumPublic.model_validate(row["Album"]) for row in rows], next_cursor=next_cursor)

"""Planned routes (app.core.routing) answer exactly as FastAPI's own request handling does.

While ``app.dependency_overrides`` is in use, planned routes hand requests to FastAPI's handler,
so the same requests can be sent both ways and the answers compared: statuses, headers and
bodies, for good requests and for every kind of invalid one.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from httpx import AsyncClient

from app.core.routing import PlannedRoute, _answers_with_response, _plan
from tests.catalog_support import make_album, make_artist, make_song


def _never_called() -> None:
    raise AssertionError("only present to switch planned routes to FastAPI's handler")


async def _both_ways(app: FastAPI, client: AsyncClient, path: str, **options: object) -> list[httpx.Response]:
    planned = await client.get(path, **options)  # type: ignore[arg-type]
    app.dependency_overrides[_never_called] = _never_called
    try:
        fastapi = await client.get(path, **options)  # type: ignore[arg-type]
    finally:
        app.dependency_overrides.clear()
    return [planned, fastapi]


def _comparable(response: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    headers = {name: value for name, value in response.headers.items() if name != "date"}
    return response.status_code, headers, response.content


def test_reads_are_planned_and_routes_with_bodies_or_transactions_are_not(app: FastAPI) -> None:
    routes = {
        (method, route.path): route
        for route in app.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    planned = {
        key
        for key, route in routes.items()
        if isinstance(route, PlannedRoute)
        and _answers_with_response(route.endpoint)
        and _plan(route.dependant) is not None
    }
    reads = {
        ("GET", path)
        for path in (
            "/songs", "/songs/{song_id}", "/artists", "/artists/{artist_id}", "/albums",
            "/albums/{album_id}", "/genres", "/genres/{genre_id}", "/artists/{artist_id}/songs",
            "/artists/{artist_id}/albums", "/albums/{album_id}/songs",
        )
    }  # fmt: skip
    assert reads <= planned
    # A body or a transaction (a generator dependency) keeps FastAPI's handler.
    assert not {key for key in planned if key[0] in {"POST", "PUT", "PATCH", "DELETE"}}


@pytest.mark.parametrize(
    "request_path",
    [
        "/songs/{song}", "/songs/{song}?include=artist,album,genres", "/songs/{song}?include=nothing",
        "/songs/{song}?unknown=1", "/songs/0", "/songs/abc", "/songs/2147483648", "/songs/999999",
        "/songs", "/songs?limit=1", "/songs?limit=0&sort=nope", "/songs?year_from=x&artist_id=-1",
        "/songs?genre=rock&genre=pop", "/songs?cursor=bad", "/songs?sort=-year,name&limit=2",
        "/artists/{artist}", "/artists/{artist}?x=1", "/artists", "/artists?name=Sigur%20R%C3%B3s",
        "/artists/{artist}/songs?limit=1", "/artists/{artist}/albums?barcode=12", "/artists/999999/songs",
        "/albums/{album}/songs", "/albums", "/genres", "/genres/999999", "/albums?year_from=1990",
    ],
)  # fmt: skip
async def test_planned_and_fastapi_handling_answer_the_same(
    app: FastAPI, client: AsyncClient, request_path: str
) -> None:
    artist = await make_artist(client, "Sigur Rós")
    album = await make_album(client, artist["id"], "Takk...")
    song = await make_song(client, artist["id"], album_id=album["id"], track_number=1, genres=["post-rock"])
    path = request_path.format(song=song["id"], artist=artist["id"], album=album["id"])

    planned, fastapi = await _both_ways(app, client, path)

    assert _comparable(planned) == _comparable(fastapi)


async def test_a_conditional_get_is_answered_the_same_both_ways(app: FastAPI, client: AsyncClient) -> None:
    artist = await make_artist(client)
    song = await make_song(client, artist["id"])
    for tag in ('"1"', 'W/"1"', '"2"', "*"):
        planned, fastapi = await _both_ways(
            app, client, f"/songs/{song['id']}", headers={"If-None-Match": tag}
        )
        assert _comparable(planned) == _comparable(fastapi)
        assert planned.status_code == (200 if tag == '"2"' else 304)

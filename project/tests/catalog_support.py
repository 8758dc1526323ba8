"""Helpers shared by the catalog tests: creating resources over HTTP and checking problems."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response

JSON = dict[str, Any]

PROBLEM_MEDIA_TYPE = "application/problem+json"
LIST_PATHS = ("/artists", "/albums", "/genres", "/songs")


def assert_problem(response: Response, *statuses: int) -> JSON:
    """The response is an RFC 9457 problem with one of ``statuses``; returns its body."""
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem: JSON = response.json()
    assert problem["status"] == response.status_code
    assert problem["title"]
    assert problem["type"]
    return problem


def error_fields(problem: JSON) -> list[str]:
    return [error["field"] for error in problem.get("errors", [])]


async def create(client: AsyncClient, path: str, body: JSON) -> JSON:
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    created: JSON = response.json()
    assert response.headers["location"] == f"{path}/{created['id']}"
    assert response.headers["etag"] == f'"{created["version"]}"'
    return created


async def make_artist(client: AsyncClient, name: str = "Björk", **fields: Any) -> JSON:
    return await create(client, "/artists", {"name": name, **fields})


async def make_album(client: AsyncClient, artist_id: int, title: str = "Debut", **fields: Any) -> JSON:
    return await create(client, "/albums", {"title": title, "artist_id": artist_id, **fields})


async def make_genre(client: AsyncClient, name: str = "post-rock") -> JSON:
    return await create(client, "/genres", {"name": name})


async def make_song(client: AsyncClient, artist_id: int, name: str = "Hoppípolla", **fields: Any) -> JSON:
    return await create(client, "/songs", {"name": name, "artist_id": artist_id, **fields})


async def fetch(client: AsyncClient, path: str, **params: Any) -> JSON:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: JSON = response.json()
    return body


async def items(client: AsyncClient, path: str, **params: Any) -> list[JSON]:
    listed: list[JSON] = (await fetch(client, path, limit=500, **params))["items"]
    return listed


async def catalog_state(client: AsyncClient) -> dict[str, list[JSON]]:
    """Every resource in the catalog, to show that a failed request wrote nothing."""
    return {path: await items(client, path) for path in LIST_PATHS}

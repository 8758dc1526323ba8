"""The seed tutorial's contract for /songs and /ping, exactly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from httpx import AsyncClient

SEED_SONG = {"name": "Midnight Fit", "artist": "Mogwai", "year": "2021"}


async def test_ping(client: AsyncClient) -> None:
    response = await client.get("/ping")
    assert response.status_code == 200
    assert response.json() == {"ping": "pong!"}


async def test_create_song_as_the_tutorial_does(client: AsyncClient) -> None:
    response = await client.post("/songs", json=SEED_SONG)

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Midnight Fit"
    assert body["artist"] == "Mogwai"
    assert body["year"] == 2021
    assert isinstance(body["id"], int)
    assert response.headers["location"] == f"/songs/{body['id']}"

    fetched = await client.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == body


async def test_year_is_optional(client: AsyncClient) -> None:
    response = await client.post("/songs", json={"name": "Untitled", "artist": "Someone"})
    assert response.status_code == 201
    assert response.json()["year"] is None


async def test_names_are_trimmed(client: AsyncClient) -> None:
    response = await client.post("/songs", json={"name": "  Hurts  ", "artist": " Mogwai "})
    assert response.status_code == 201
    assert (response.json()["name"], response.json()["artist"]) == ("Hurts", "Mogwai")


async def test_list_songs_pages_through_everything(client: AsyncClient) -> None:
    created = []
    for number in range(5):
        response = await client.post("/songs", json={"name": f"Song {number}", "artist": "A"})
        created.append(response.json()["id"])

    first = await client.get("/songs", params={"limit": 3})
    second = await client.get("/songs", params={"limit": 3, "cursor": first.json()["next_cursor"]})

    assert first.status_code == second.status_code == 200
    listed = [song["id"] for song in first.json()["items"] + second.json()["items"]]
    assert listed == sorted(created)
    assert second.json()["next_cursor"] is None


async def test_get_missing_song_is_a_404_problem(client: AsyncClient) -> None:
    response = await client.get("/songs/999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "Resource not found",
        "status": 404,
        "detail": "Song 999999 does not exist.",
        "instance": "/songs/999999",
    }


NEXT_YEAR = datetime.now(UTC).year + 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"artist": "Mogwai"}, "body.name"),
        ({"name": "   ", "artist": "Mogwai"}, "body.name"),
        ({"name": "x" * 201, "artist": "Mogwai"}, "body.name"),
        ({"name": "Hurts", "artist": ""}, "body.artist"),
        ({"name": "Hurts", "artist": "Mogwai", "year": 999}, "body.year"),
        ({"name": "Hurts", "artist": "Mogwai", "year": NEXT_YEAR + 1}, "body.year"),
        ({"name": "Hurts", "artist": "Mogwai", "year": "twenty"}, "body.year"),
        ({"name": "Hurts", "artist": "Mogwai", "label": "Rock Action"}, "body.label"),
    ],
)
async def test_invalid_song_is_a_422_problem_and_writes_nothing(
    client: AsyncClient, payload: dict[str, object], field: str
) -> None:
    before = (await client.get("/songs", params={"limit": 500})).json()["items"]

    response = await client.post("/songs", json=payload)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert problem["status"] == 422
    assert field in [error["field"] for error in problem["errors"]]
    assert field in problem["detail"]
    assert (await client.get("/songs", params={"limit": 500})).json()["items"] == before


async def test_year_bounds_are_inclusive(client: AsyncClient) -> None:
    for year in (1000, NEXT_YEAR):
        response = await client.post("/songs", json={"name": "Edge", "artist": "A", "year": year})
        assert response.status_code == 201, response.text


async def test_malformed_json_is_a_422_problem(client: AsyncClient) -> None:
    response = await client.post("/songs", content=b'{"name": ', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["type"] == "json_invalid"


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"limit": "ten"}, {"offset": 10}])
async def test_out_of_range_paging_is_rejected_not_clamped(
    client: AsyncClient, params: dict[str, str | int]
) -> None:
    response = await client.get("/songs", params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == f"query.{next(iter(params))}"


async def test_default_page_size_is_50(client: AsyncClient) -> None:
    for number in range(55):
        await client.post("/songs", json={"name": f"Song {number}", "artist": "A"})
    assert len((await client.get("/songs")).json()["items"]) == 50
    assert len((await client.get("/songs", params={"limit": 500})).json()["items"]) == 55


@pytest.mark.parametrize("song_id", ["abc", "0", "99999999999"])
async def test_bad_song_ids_are_422_problems(client: AsyncClient, song_id: str) -> None:
    response = await client.get(f"/songs/{song_id}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.song_id"

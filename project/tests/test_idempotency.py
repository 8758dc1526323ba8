"""Idempotency-Key on POST: replays, mismatches, requests in flight, expiry."""

from __future__ import annotations

import asyncio

from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

SONG = {"name": "Midnight Fit", "artist": "Mogwai", "year": 2021}


async def _song_count(client: AsyncClient) -> int:
    return len((await client.get("/songs", params={"limit": 500})).json()["items"])


async def test_a_repeat_replays_the_first_response_and_creates_nothing(client: AsyncClient) -> None:
    headers = {"Idempotency-Key": "create-midnight-fit-1"}
    first = await client.post("/songs", json=SONG, headers=headers)
    again = await client.post("/songs", json=SONG, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _song_count(client) == 1


async def test_different_keys_are_different_requests(client: AsyncClient) -> None:
    one = await client.post("/songs", json=SONG, headers={"Idempotency-Key": "a"})
    two = await client.post("/songs", json=SONG, headers={"Idempotency-Key": "b"})
    assert one.json()["id"] != two.json()["id"]
    assert await _song_count(client) == 2


async def test_same_key_with_another_body_is_a_422_problem(client: AsyncClient) -> None:
    headers = {"Idempotency-Key": "reused"}
    await client.post("/songs", json=SONG, headers=headers)
    other = await client.post("/songs", json={**SONG, "name": "Ritchie Sacramento"}, headers=headers)

    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"] == "/problems/idempotency-key-reused"
    assert await _song_count(client) == 1


async def test_same_key_on_another_endpoint_is_a_422_problem(client: AsyncClient) -> None:
    headers = {"Idempotency-Key": "shared"}
    await client.post("/genres", json={"name": "Post-rock"}, headers=headers)
    other = await client.post("/artists", json={"name": "Post-rock"}, headers=headers)
    assert other.status_code == 422


async def test_client_errors_are_replayed_too(client: AsyncClient) -> None:
    headers = {"Idempotency-Key": "bad-year"}
    first = await client.post("/songs", json={**SONG, "year": 99}, headers=headers)
    again = await client.post("/songs", json={**SONG, "year": 99}, headers=headers)
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()


async def test_keys_expire_after_24_hours(client: AsyncClient, connection: AsyncConnection) -> None:
    headers = {"Idempotency-Key": "old"}
    first = await client.post("/songs", json=SONG, headers=headers)
    await connection.execute(
        text("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old'")
    )
    fresh = await client.post("/songs", json={**SONG, "name": "Other"}, headers=headers)

    assert fresh.status_code == 201
    assert fresh.json()["id"] != first.json()["id"]
    assert "idempotent-replayed" not in fresh.headers


async def test_invalid_keys_are_a_400_problem(client: AsyncClient) -> None:
    response = await client.post("/songs", json=SONG, headers={"Idempotency-Key": "x" * 256})
    assert response.status_code == 400
    assert response.json()["parameter"] == "Idempotency-Key"
    assert await _song_count(client) == 0


async def test_a_repeat_while_the_first_runs_is_a_409_problem(
    committing_client: AsyncClient, engine: AsyncEngine
) -> None:
    headers = {"Idempotency-Key": "slow"}
    # Hold a lock that makes the first request wait inside its handler, after it claimed the key.
    async with engine.connect() as blocker:
        transaction = await blocker.begin()
        await blocker.execute(text("LOCK TABLE songs IN EXCLUSIVE MODE"))
        first = asyncio.create_task(committing_client.post("/songs", json=SONG, headers=headers))
        async with engine.connect() as probe:
            for _ in range(500):  # bounded wait until the first request has claimed the key
                claimed = await probe.scalar(text("SELECT count(*) FROM idempotency_keys"))
                await probe.commit()
                if claimed:
                    break
                await asyncio.sleep(0.01)
        assert claimed == 1

        repeat = await committing_client.post("/songs", json=SONG, headers=headers)
        await transaction.rollback()

    assert repeat.status_code == 409
    assert repeat.json()["type"] == "/problems/idempotency-key-in-flight"
    done = await first
    assert done.status_code == 201
    replay = await committing_client.post("/songs", json=SONG, headers=headers)
    assert replay.status_code == 201
    assert replay.json() == done.json()
    assert len((await committing_client.get("/songs")).json()["items"]) == 1
